"""Model runtimes behind one small interface (base.py) and their explicit registry
(registry.py): onnxruntime, the reference, and OpenVINO reading the same ONNX files."""
