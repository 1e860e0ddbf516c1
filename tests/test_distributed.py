"""`galaxy_train` in 2 CPU processes under PyTorch's launcher (`torch.distributed.run`, the module behind `torchrun`),
with fastai's distributed training on the gloo backend, on synthetic galaxies. A `sitecustomize` module logs every
file a process opens for writing or saves with `torch.save` in the run folder, with the process's rank."""
import json, os, subprocess, sys, textwrap, warnings, pandas as pd
from pathlib import Path
from galaxy_fastai.synthetic import make_synthetic
from galaxy_fastai.inference import evaluate_run

WRITE_LOGGER = textwrap.dedent('''
    import builtins, io, os, torch
    _open, _save = io.open, torch.save
    def _log(file):
        run = os.environ['TEST_RUN_DIR']
        if isinstance(file, (str, os.PathLike)) and os.path.abspath(file).startswith(run + os.sep):
            with _open(os.environ['TEST_WRITE_LOG'], 'a') as log: log.write(f"{os.environ.get('RANK', '-')} {os.path.relpath(file, run)}\\n")
    def _logged_open(file, mode='r', *args, **kwargs):
        if set(mode) & set('wax+'): _log(file)
        return _open(file, mode, *args, **kwargs)
    def _logged_save(obj, f, *args, **kwargs):  # PyTorch writes a file named by a path in C++, not through `open`
        _log(f)
        return _save(obj, f, *args, **kwargs)
    builtins.open = io.open = _logged_open
    torch.save = _logged_save
''')

def test_two_cpu_processes(tmp_path):
    syn = make_synthetic(tmp_path/'syn', n=160, size=64, progress=False)
    (tmp_path/'hook').mkdir()
    (tmp_path/'hook'/'sitecustomize.py').write_text(WRITE_LOGGER)
    run, log = tmp_path/'run', tmp_path/'writes.log'
    env = {**os.environ, 'PYTHONPATH': os.pathsep.join([str(tmp_path/'hook'), os.environ.get('PYTHONPATH', '')]),
           'TEST_RUN_DIR': str(run), 'TEST_WRITE_LOG': str(log), 'OMP_NUM_THREADS': '1'}
    cmd = [sys.executable, '-m', 'torch.distributed.run', '--nproc_per_node', '2', '--master_port', '29531',
           str(Path(sys.executable).with_name('galaxy_train')), '--data', syn, '--sz', '32', '--bs', '16', '--epochs', '3', '--out', run]
    res = subprocess.run(list(map(str, cmd)), capture_output=True, text=True, env=env, timeout=600)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    assert res.stdout.count('held-out test metrics') == 1, res.stdout  # rank 0 reports; the other rank is silent

    writes = pd.Series(log.read_text().split('\n')[:-1]).str.split(' ', n=1, expand=True).set_axis(['rank', 'file'], axis=1)
    assert set(writes['rank']) == {'0'}, writes[writes['rank'] != '0']  # only rank 0 writes the run folder
    once = writes.file[~writes.file.str.contains('checkpoint|best')].str.removesuffix('.tmp')  # checkpoints and the best weights: once per epoch at most
    assert once.is_unique and {'config.yaml', 'weights.pth', 'metrics.json', 'splits.csv', 'test_ids.csv', 'history.csv'} <= set(once), once.tolist()
    assert (writes.file == 'checkpoint.pth.tmp').sum() == 3 and not (run/'checkpoint.pth').exists()

    hist = pd.read_csv(run/'history.csv')
    assert list(hist.epoch) == [0, 1, 2]
    metrics = json.loads((run/'metrics.json').read_text())
    assert metrics['n_valid'] == (pd.read_csv(run/'splits.csv').split == 'valid').sum()

    # The validation metrics are over every validation galaxy (fastai gathers the ranks' predictions): the best epoch's
    # accuracy is what the saved weights score on all of them, in one process
    splits = pd.read_csv(run/'splits.csv')
    splits[splits.split == 'valid'].GalaxyID.to_csv(tmp_path/'valid_ids.csv', index=False)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')  # these galaxies steered the training: said in a warning, known here
        valid = evaluate_run(run, syn, ids=tmp_path/'valid_ids.csv', tta=False)
    assert valid['n_test'] == metrics['n_valid']
    assert abs(hist.loc[hist.valid_loss.idxmin(), 'accuracy'] - valid['accuracy']) < 1e-6, (hist, valid)
