#!/usr/bin/env bash
# The GPU check: the device test module on every device this machine has (CPU, and CUDA when present), then a
# two-epoch `galaxy_train` of each task on the real sample (base, hierarchy and tree models), and a table: task, device, seconds per epoch, held-out metric.
# Run it from the repository root on a machine with an NVIDIA GPU:  bash tools/gpu_check.sh [DATA]   (default: the sample
# in $GALAXY_ZOO_DATA or ../shared/data/galaxy-zoo). It exits non-zero when a test or a run fails.
# GPU_CHECK_CONFIGS="task2-best task1-best tree-best" also trains those configs in full (their epochs and recipe, the
# extra galaxies beside DATA where the config names them) and prints their wall-clock times: the experiment pages' GPU times.
set -uo pipefail
cd "$(dirname "$0")/.."
py=${PYTHON:-$( [ -x .venv/bin/python ] && echo .venv/bin/python || echo python3 )}
data=${1:-${GALAXY_ZOO_DATA:-../shared/data/galaxy-zoo}}
out=${GPU_CHECK_OUT:-$(mktemp -d)}
mkdir -p "$out"
status=0
"$py" -c "import torch; print('torch', torch.__version__, '| CUDA:', torch.cuda.get_device_name(0) if torch.cuda.is_available() else 'none')"
"$py" -m pytest -q -p no:cacheprovider tests/test_devices.py || status=1
# galaxy_train as its console script runs it (which also works where the package was installed without scripts)
printf 'from galaxy_fastai.cli import galaxy_train\nif __name__ == "__main__": galaxy_train()\n' > "$out/galaxy_train.py"
for run in task1:base task2:hierarchy tree:tree; do
  task=${run%:*}
  "$py" "$out/galaxy_train.py" --task "$task" --model "${run#*:}" --data "$data" --epochs 2 --out "$out/$task" \
    > "$out/$task.log" 2>&1 || { status=1; echo "galaxy_train --task $task failed:"; tail -5 "$out/$task.log"; }
done
for cfg in ${GPU_CHECK_CONFIGS:-}; do
  start=$(date +%s)
  "$py" "$out/galaxy_train.py" --config "configs/$cfg.yaml" --data "$data" --out "$out/config-$cfg" > "$out/config-$cfg.log" 2>&1 \
    || { status=1; echo "galaxy_train --config configs/$cfg.yaml failed:"; tail -5 "$out/config-$cfg.log"; }
  echo $(( $(date +%s) - start )) > "$out/config-$cfg.seconds"
  echo "configs/$cfg.yaml trained in $(cat "$out/config-$cfg.seconds") s"   # at once: the table below comes only at the end
done
"$py" - "$out" <<'PY'
import json, sys, pandas as pd
from pathlib import Path
import galaxy_fastai  # before fastai: it quiets fastai's import
from fastai.vision.all import default_device
out, dev = Path(sys.argv[1]), str(default_device())
print(f"\n{'task':<6} {'device':<8} {'s/epoch':>8}  held-out metric")
for task, key in (('task1', 'accuracy'), ('task2', 'acc_Class1'), ('tree', 'rmse')):
    if not (out/task/'metrics.json').is_file(): print(f'{task:<6} {dev:<8} {"-":>8}  failed'); continue
    m, h = json.loads((out/task/'metrics.json').read_text()), pd.read_csv(out/task/'history.csv')
    secs = pd.to_timedelta('00:' + h.time.astype(str)).dt.total_seconds().median()
    print(f'{task:<6} {dev:<8} {secs:>8.1f}  {key} {m[key]:.4f} ({m["n_test"]} galaxies)')
runs = sorted(out.glob('config-*/metrics.json'))
if runs: print(f"\n{'config':<12} {'device':<8} {'training galaxies':>17} {'epochs':>6} {'wall s':>6}  (training, test-time augmentation and figures)")
for f in runs:
    m, h, secs = json.loads(f.read_text()), pd.read_csv(f.parent/'history.csv'), (f.parent.parent/f'{f.parent.name}.seconds').read_text().strip()
    print(f'{f.parent.name[7:]:<12} {dev:<8} {m["n_train"]:>17,} {len(h):>6} {secs:>6}')
PY
exit $status
