#!/usr/bin/env bash
# moodshift's GPU check for a host with an NVIDIA GPU, Python and PyTorch (CUDA), but no Node.js and no network.
#
#   bench/gpu-host-check.sh bundle [OUT]   on a machine WITH network, Node.js 20 and `npm install` done:
#                                          packs what the GPU host lacks into OUT (default .gpu-bundle/, git-ignored):
#                                          this Node.js binary and pip wheels of models/requirements.txt without torch.
#   bench/gpu-host-check.sh run [BUNDLE]   on the GPU host, in a checkout with node_modules and the bundle beside it:
#     1. builds an InstructPix2Pix folder shaped like Stable Diffusion 1.5 with RANDOM weights (bench/gpu_reference.py);
#     2. times diffusers' own StableDiffusionInstructPix2PixPipeline on it in PyTorch fp16 on the GPU (512x512, 20 steps);
#     3. exports it to ONNX fp16 with the project's own tool (python -m moodshift_models export-ip2p --fp16);
#     4. runs `npm run bench:gpu`'s script on ORT_EXECUTION_PROVIDER=webgpu (Vulkan) at 512x512, 20 steps, fp16,
#        and prints its seconds per edit beside PyTorch's, measured in the same run.
#   Random weights cost the same arithmetic as trained ones, but the pictures are noise: this measures speed only.
#   It needs about 10 GB of disk and, on an H100/H200-class GPU, a few minutes (most of it the ONNX export).
#
# Environment: WORK (scratch folder, default a temp dir), PYTHON (default python3), NODE (a node binary; default the
# bundle's, else `node` on PATH), STEPS (20), RUNS (3), PRECISION (fp16; fp32 exports and measures fp32), SMALL=1 (a narrow model of the same layout, on the CPU
# too: checks the script, not the GPU).
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-run}"

if [ "$mode" = bundle ]; then
  out="${2:-.gpu-bundle}"
  mkdir -p "$out/bin" "$out/wheels"
  cp "$(command -v node)" "$out/bin/node"
  grep -v '^torch==' models/requirements.txt > "$out/requirements-without-torch.txt"
  # requirements.txt pins every package (torch's own dependencies included), so --no-deps keeps torch out.
  ${PYTHON:-python3} -m pip download --quiet --no-deps --only-binary=:all: --python-version 3.11 --implementation cp \
    --platform manylinux2014_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux_2_27_x86_64 \
    --platform manylinux_2_28_x86_64 --platform any -r "$out/requirements-without-torch.txt" -d "$out/wheels"
  echo "bundle written to $out ($(du -sh "$out" | cut -f1)); copy it with the checkout (and node_modules) to the GPU host"
  exit 0
fi
[ "$mode" = run ] || { echo "usage: bench/gpu-host-check.sh bundle [OUT] | run [BUNDLE]" >&2; exit 2; }

bundle="${2:-.gpu-bundle}"
python="${PYTHON:-python3}"
node="${NODE:-}"
[ -n "$node" ] || { [ -x "$bundle/bin/node" ] && node="$bundle/bin/node"; } || true
[ -n "$node" ] || node="$(command -v node || true)"
[ -n "$node" ] || { echo "gpu-host-check: no Node.js: set NODE, or make a bundle on a machine with Node.js (bench/gpu-host-check.sh bundle) and copy it to $bundle" >&2; exit 1; }
[ -d node_modules/onnxruntime-node ] || { echo "gpu-host-check: node_modules is missing: copy it from a machine where \`npm install\` ran (same OS and CPU architecture)" >&2; exit 1; }
"$node" --version | grep -q '^v2[0-9]' || { echo "gpu-host-check: $node is not Node.js 20 or later" >&2; exit 1; }

work="${WORK:-$(mktemp -d /tmp/moodshift-gpu-XXXXXX)}"
mkdir -p "$work"
echo "gpu-host-check: scratch $work, node $("$node" --version), $("$python" --version)"
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || echo "gpu-host-check: no nvidia-smi"

# Python packages: the host's torch, the rest from the bundle's wheels (built for CPython 3.11, x86-64 Linux) when
# they are not installed already.
if ! "$python" -c 'import diffusers, transformers, onnx, onnxscript' 2>/dev/null; then
  [ -d "$bundle/wheels" ] || { echo "gpu-host-check: diffusers/transformers/onnx are not installed and $bundle/wheels is missing (bench/gpu-host-check.sh bundle)" >&2; exit 1; }
  "$python" -m venv --system-site-packages "$work/venv"
  python="$work/venv/bin/python"
  "$python" -m pip install --quiet --no-index --no-deps --find-links "$bundle/wheels" -r "$bundle/requirements-without-torch.txt"
fi
"$python" -c 'import torch; print("gpu-host-check: torch", torch.__version__, "cuda", torch.cuda.is_available(), torch.cuda.get_device_name(0) if torch.cuda.is_available() else "")'

small=()
[ "${SMALL:-0}" = 1 ] && small=(--small)
steps="${STEPS:-20}"
SECONDS=0
"$python" bench/gpu_reference.py build "$work/instruct-pix2pix" "${small[@]}"
echo "gpu-host-check: built in ${SECONDS}s"
pytorch_json=""
if "$python" -c 'import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)'; then
  "$python" bench/gpu_reference.py time "$work/instruct-pix2pix" "$work/pytorch.json" --steps "$steps" --runs "${RUNS:-3}"
  pytorch_json="$work/pytorch.json"
else
  echo "gpu-host-check: torch sees no CUDA device: no PyTorch baseline"
fi
echo "gpu-host-check: PyTorch done at ${SECONDS}s"
precision="${PRECISION:-fp16}"
fp16_flag=()
[ "$precision" = fp16 ] && fp16_flag=(--fp16)
onnx_dir="$work/onnx-$precision"
PYTHONPATH=models "$python" -m moodshift_models export-ip2p --from "$work/instruct-pix2pix" --out "$onnx_dir" "${fp16_flag[@]}" >/dev/null
echo "gpu-host-check: exported at ${SECONDS}s"
# `moodshift models check`, through its module only (the checkout's CLI loads every command).
"$node" --import tsx -e "const { runModelsCommand } = await import('./src/onnx/models-command.ts');
  process.exitCode = await runModelsCommand(['check', process.argv[1], '--backend', 'diffusion'], { stdout: process.stdout, stderr: process.stderr });" "$onnx_dir" \
  || { echo "gpu-host-check: the export does not pass models check" >&2; exit 1; }

MODELS_DIR="$onnx_dir" ORT_EXECUTION_PROVIDER="${ORT_EXECUTION_PROVIDER:-webgpu}" BENCH_STEPS="$steps" BENCH_PRECISIONS="$precision" \
  BENCH_REPEATS="${RUNS:-3}" BENCH_BUDGET_S=400 BENCH_REQUIRE_PROVIDER="${BENCH_REQUIRE_PROVIDER:-1}" BENCH_PYTORCH_RESULT="$pytorch_json" \
  "$node" --import tsx bench/gpu.bench.ts | tee "$work/bench-gpu.txt"
echo "gpu-host-check: done in ${SECONDS}s. The weights are random: every picture is noise; the figures are speed only."
