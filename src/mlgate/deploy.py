"""Load what `mlgate optimize MODEL --out DIR` recommends, with the runtime it names:

    import mlgate.deploy
    model = mlgate.deploy.load("DIR")        # reads DIR/deployment.json
    outputs = model.run({"input": array})   # a list of numpy arrays, in output order

`load` opens an onnxruntime session with the recorded providers and session options, or an
OpenVINO compiled model on the recorded device with the recorded properties; `threads`
overrides the recorded thread count."""

from __future__ import annotations

from pathlib import Path

from mlgate.bench.deployed import open_deployed
from mlgate.bench.session import Session
from mlgate.results.deployment import Deployment
from mlgate.results.deployment_file import read_deployment


class Loaded:
    """A deployed model: `run(feeds)` returns its outputs; `deployment` is the record."""

    def __init__(self, session: Session, deployment: Deployment, model: Path) -> None:
        self.session = session
        self.deployment = deployment
        self.model = model
        self.input_names = [spec.name for spec in session.inputs]
        self.output_names = list(session.output_names)

    def run(self, feeds: dict[str, object]) -> list[object]:
        return self.session.run(feeds)  # type: ignore[arg-type]


def load(where: str | Path, threads: int | None = None) -> Loaded:
    """Open DIR/deployment.json (or that file itself) with the runtime it names."""
    deployment, model = read_deployment(Path(where))
    return Loaded(open_deployed(model, deployment, model.name, threads), deployment, model)
