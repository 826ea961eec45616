"""torch → ONNX for one component: export, optional float16 conversion, external weights over 2 GB in one
`<name>_data` file beside the model (the layout ONNX Runtime loads automatically)."""

from __future__ import annotations

import shutil
import tempfile
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path

import onnx
import torch

OPSET = 17
# protobuf's limit for one file; larger models keep their weights in `<model>.onnx_data`.
_PROTO_LIMIT = 2_000_000_000


def export_module(
    module: torch.nn.Module,
    args: tuple,
    path: Path,
    *,
    input_names: Sequence[str],
    output_names: Sequence[str],
    dynamic_axes: Mapping[str, Mapping[int, str]],
    fp16: bool = False,
    metadata: Mapping[str, str] | None = None,
) -> Path:
    """Exports `module(*args)` to `path` with the given names; returns the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # The TorchScript exporter writes one file per tensor beside a model over 2 GB: keep those in a scratch folder.
    scratch = Path(tempfile.mkdtemp(prefix=".raw-", dir=path.parent))
    raw = scratch / "model.onnx"
    module = module.eval()
    if fp16:
        # Traced in half precision (onnxruntime's float32→float16 graph converter breaks Resize and the
        # attention casts of diffusers' models); float inputs become float16, integer ones stay.
        module = module.half()
        args = tuple(a.half() if isinstance(a, torch.Tensor) and a.is_floating_point() else a for a in args)
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            module,
            args,
            str(raw),
            input_names=list(input_names),
            output_names=list(output_names),
            dynamic_axes={k: dict(v) for k, v in dynamic_axes.items()},
            opset_version=OPSET,
            do_constant_folding=True,
            dynamo=False,
        )
    model = onnx.load(str(raw), load_external_data=True)
    for key, value in (metadata or {}).items():
        entry = model.metadata_props.add()
        entry.key, entry.value = key, str(value)
    large = model.ByteSize() > _PROTO_LIMIT if _fits_bytesize(model) else True
    onnx.save_model(
        model,
        str(path),
        save_as_external_data=large,
        all_tensors_to_one_file=True,
        location=path.name + "_data",
        size_threshold=1024,
    )
    del model
    shutil.rmtree(scratch, ignore_errors=True)
    return path


def _fits_bytesize(model: onnx.ModelProto) -> bool:
    try:
        model.ByteSize()
        return True
    except Exception:  # protobuf refuses to size a message over 2 GB
        return False
