"""Run every notebook in `nbs/` as one test, exactly as `nbdev_test` does: cells flagged with a `tst_flags` flag
from settings.ini (e.g. `#| slow`) are skipped, except in the notebooks of `FORCED`, whose slow cells are slow only
for a reader (minutes of training on synthetic data) and are tests we keep. pytest gives each notebook a pass/fail
line and a summary count."""
import tempfile, pytest
from nbdev.config import get_config
from nbdev.test import test_nb as run_notebook

cfg = get_config()
NOTEBOOKS = sorted(p for p in cfg.nbs_path.glob('*.ipynb') if not p.name.startswith('_'))
FORCED = {'08_models.ipynb'}  # every learner trained and checked on the synthetic set: about 3 minutes, no real data

@pytest.mark.parametrize('nb', NOTEBOOKS, ids=lambda p: p.name)
def test_notebook(nb, tmp_path, monkeypatch):
    # A page's scratch folders (`tempfile.mkdtemp`, in this process and the commands it starts) go under pytest's tmp_path,
    # which pytest removes (pyproject.toml keeps failed tests' only): in /tmp they stayed, 317 MB a run for 08_models alone.
    monkeypatch.setattr(tempfile, 'tempdir', str(tmp_path))
    monkeypatch.setenv('TMPDIR', str(tmp_path))
    monkeypatch.chdir(cfg.config_path)  # pages chdir into their scratch folder; the next test starts where this one did
    ok, secs = run_notebook(nb, skip_flags=cfg.tst_flags.split(), force_flags=cfg.tst_flags.split() if nb.name in FORCED else None,
                           basepath=cfg.config_path)
    assert ok, f'{nb.name} failed (its traceback is printed above)'
