"""ml-efficiency-gate: gate model-changing pull requests on accuracy, latency, memory and size."""

__version__ = "0.1.0"
