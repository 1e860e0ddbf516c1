"""The device-dependent paths, on every device this machine has: the CPU always, CUDA when `torch.cuda.is_available()`.
Training into a run folder (metrics and figures), resuming an interrupted run, evaluating, predicting with test-time
augmentation, and mixed precision on all five learners. CI runs the CPU half; `tools/gpu_check.sh` runs this module on a
GPU machine, where the same tests prove the CUDA path."""
import json, warnings, pytest, torch, pandas as pd
from pathlib import Path
from galaxy_fastai.synthetic import make_synthetic
from galaxy_fastai.dataloaders import galaxy_dls
from galaxy_fastai.models import base_learner, hierarchy_learner, branch_learner, vgg6_learner, tree_learner
from galaxy_fastai.settings import run_config, make_learner
from galaxy_fastai.runs import train_run
from galaxy_fastai.inference import evaluate_run
from galaxy_fastai.predict import predict_folder
from fastai.vision.all import Callback, MixedPrecision, set_seed

DEVICES = ['cpu'] + (['cuda'] if torch.cuda.is_available() else [])
SMALL = dict(sz=32, bs=16, model_kw={'filters': [16, 32, 64], 'dense': [64, 32]}, lr=3e-3)
TASKS = {'task1': 'base', 'task2': 'hierarchy', 'tree': 'tree'}

@pytest.fixture(scope='module')
def data(tmp_path_factory):
    "A tiny synthetic training set and another draw to evaluate and predict on"
    tmp = tmp_path_factory.mktemp('devices')
    return make_synthetic(tmp/'train', n=160, size=64, progress=False), make_synthetic(tmp/'other', n=40, size=64, seed=7, progress=False)

def _run(out, data, device, **kw):
    return train_run(out, progress=False, data=str(data), device=device, **(SMALL | kw))

@pytest.mark.parametrize('device', DEVICES)
@pytest.mark.parametrize('task', TASKS)
def test_train_evaluate_predict(task, device, data, tmp_path):
    "Train with the task's augmentation on `device`, then the held-out metrics, figures, evaluation and TTA predictions"
    syn, other = data
    m = _run(tmp_path/'run', syn, device, task=task, model=TASKS[task], crop='none', epochs=2, tta=True)
    assert json.loads((tmp_path/'run'/'metrics.json').read_text()) == m
    assert (tmp_path/'run'/'history.png').is_file() and len(list((tmp_path/'run').glob('*.png'))) == 2
    assert all(v == v for v in m.values() if isinstance(v, float)), m  # no NaN
    ev = evaluate_run(tmp_path/'run', other)
    assert ev['n_test'] > 0 and (ev['accuracy'] if task == 'task1' else ev['rmse']) >= 0
    n, skipped = predict_folder(tmp_path/'run', other/'images_training_rev1', tmp_path/'pred.csv', tta=True)
    preds = pd.read_csv(tmp_path/'pred.csv')
    assert n == len(preds) == 40 and not skipped and preds.iloc[:, 1:].notna().all().all()
    if task == 'task1': assert ((preds.iloc[:, 1:].sum(1) - 1).abs() < 1e-4).all()

class _Interrupt(Callback):
    "Raise `KeyboardInterrupt`, as Ctrl-C does, once epoch `n` is checkpointed"
    order = 100
    def __init__(self, n): self.n = n
    def after_epoch(self):
        if self.epoch == self.n: raise KeyboardInterrupt

@pytest.mark.parametrize('device', DEVICES)
def test_resume_equals_uninterrupted(device, data, tmp_path):
    "A run interrupted after epoch 1 and resumed ends as the uninterrupted run (random states, CUDA's included, restored)"
    kw = dict(task='task1', epochs=3, aug='task1')
    with pytest.raises(KeyboardInterrupt): train_run(tmp_path/'cut', progress=False, cbs=[_Interrupt(1)], data=str(data[0]), device=device, **(SMALL | kw))
    resumed = train_run(tmp_path/'cut', resume=True, progress=False)
    whole = _run(tmp_path/'whole', data[0], device, **kw)
    history = [pd.read_csv(tmp_path/r/'history.csv').drop(columns='time') for r in ('cut', 'whole')]
    if device == 'cpu': assert resumed == whole; pd.testing.assert_frame_equal(*history)
    else:  # CUDA's max-pool backward accumulates with atomics: the last digits differ from run to run, resumed or not
        pd.testing.assert_frame_equal(*history, rtol=1e-3)
        assert resumed['accuracy'] == pytest.approx(whole['accuracy'], abs=0.02)

LEARNERS = {'base task1': (base_learner, 'task1'), 'base task2': (base_learner, 'task2'), 'hierarchy': (hierarchy_learner, 'task2'),
            'branch': (branch_learner, 'task2'), 'vgg6': (vgg6_learner, 'tree'), 'tree': (tree_learner, 'tree')}

@pytest.mark.parametrize('device', DEVICES)
@pytest.mark.parametrize('dtype', [torch.bfloat16, torch.float16])
@pytest.mark.parametrize('name', LEARNERS)
def test_autocast_every_learner(name, dtype, device, data, tmp_path):
    "Forward, loss and backward under `device`'s autocast in 16 bits: a finite 32-bit loss, finite gradients"
    make, task = LEARNERS[name]
    set_seed(48, reproducible=True)
    dls = galaxy_dls(data[0], task, sz=32, bs=16, aug=None, crop=None, device=device, min_prob=0.6 if task == 'task1' else None)
    for loss in (['default'] if task == 'task1' else ['mse', 'bce', 'focal']):
        learn = make(dls, path=tmp_path, **({} if loss == 'default' else {'loss': loss}))
        learn.model.to(device).train()
        xb, *yb = dls.one_batch()
        with torch.autocast(device, dtype=dtype): out = learn.loss_func(learn.model(xb), *yb)
        out.backward()
        assert out.dtype == torch.float32 and out.isfinite(), (name, loss, out)
        assert all(p.grad.isfinite().all() for p in learn.model.parameters() if p.grad is not None)

@pytest.mark.parametrize('device', DEVICES)
@pytest.mark.parametrize('precision', ['bf16', 'fp16'])
@pytest.mark.parametrize('model,task', [('base', 'task1'), ('hierarchy', 'task2'), ('branch', 'task2'), ('vgg6', 'tree'), ('tree', 'tree')])
def test_precision_setting(model, task, precision, device, data, tmp_path):
    "`precision` trains with fastai's mixed precision on CUDA; elsewhere it warns and trains in fp32"
    small = {k:v for k,v in SMALL.items() if k != 'model_kw' or model != 'vgg6'}  # VGG6 has no filter knobs
    cfg = run_config(task=task, model=model, data=str(data[0]), precision=precision, device=device, crop='none', aug='none', **small)
    dls = galaxy_dls(cfg['data'], task, sz=32, bs=16, aug=None, crop=None, device=device)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        learn = make_learner(cfg, dls, tmp_path)
    mixed = any(isinstance(cb, MixedPrecision) for cb in learn.cbs)
    assert mixed == (device == 'cuda')
    if device != 'cuda': assert any('needs a CUDA GPU' in str(o.message) for o in w)
    with learn.no_bar(), learn.no_logging(): learn.fit(1, 1e-3)
    assert all(v == v for v in learn.recorder.values[-1]), learn.recorder.values
