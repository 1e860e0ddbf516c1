"""The galaxy app as a user meets it: `galaxy_app RUN` started as a command on a run trained on synthetic galaxies, the page
opened in headless Chromium, an image uploaded through the page and the answers read back from it (the numbers of
`learn.predict` on that file), then a text file renamed `.jpg` uploaded and the page's error message read."""
import os, socket, subprocess, sys, time, urllib.request, pytest
from pathlib import Path


def _free_port()->int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]

@pytest.fixture(scope='module')
def run(tmp_path_factory):
    "A decision-tree run trained for one epoch on the synthetic set"
    from galaxy_fastai.synthetic import synthetic_path
    from galaxy_fastai.runs import train_run
    out = tmp_path_factory.mktemp('app')/'tree'
    train_run(out, task='tree', model='tree', data=str(synthetic_path(progress=False)), sz=32, bs=32, aug='none', epochs=1,
              progress=False, model_kw={'filters': [16, 32, 64], 'dense': [64, 32]})
    return out

@pytest.fixture(scope='module')
def app(run):
    "`galaxy_app RUN` serving on a free port of 127.0.0.1; its URL"
    try: import gradio  # the `app` extra, also in `dev`
    except ImportError:
        if os.environ.get('CI'): pytest.fail('Gradio is needed: pip install -e ".[dev]"')
        pytest.skip('Gradio not installed (pip install -e ".[app]")')
    port = _free_port()
    env = dict(os.environ, GRADIO_ANALYTICS_ENABLED='False')
    proc = subprocess.Popen([sys.executable, str(Path(sys.executable).with_name('galaxy_app')), str(run), '--port', str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    url = f'http://127.0.0.1:{port}/'
    for _ in range(240):
        if proc.poll() is not None: pytest.fail(f'galaxy_app exited {proc.returncode}: {proc.stdout.read()}')
        try: urllib.request.urlopen(url, timeout=1); break
        except OSError: time.sleep(0.5)
    else: pytest.fail('galaxy_app did not serve its page within 2 minutes')
    yield url
    proc.terminate(); proc.wait(30)

def _upload(browser, url, fn):
    "Open the page, upload `fn` through its file input and press Predict"
    from selenium.webdriver.support.ui import WebDriverWait
    browser.get(url)
    box = WebDriverWait(browser, 60).until(lambda b: b.find_elements('css selector', '#galaxy-file input[type=file]'))[0]
    box.send_keys(str(fn))
    WebDriverWait(browser, 60).until(lambda b: Path(fn).stem in b.find_element('id', 'galaxy-file').text)  # uploaded: the file's name shows
    browser.find_element('id', 'predict').click()

def test_app_predicts_an_upload(run, app, browser):
    from selenium.webdriver.support.ui import WebDriverWait
    from galaxy_fastai.app import app_examples, GalaxyPredictor
    from galaxy_fastai.tree import COLUMNS
    fn = app_examples(run)[2]
    _upload(browser, app, fn)
    rows = WebDriverWait(browser, 120).until(lambda b: b.find_elements('css selector', '#answers tbody tr'))
    shown = {r.find_elements('tag name', 'td')[0].text: float(r.find_elements('tag name', 'td')[2].text) for r in rows}
    learn = GalaxyPredictor(run).learn
    with learn.no_bar(): expected = learn.predict(fn)[2].tolist()  # fastai's own predict on that file
    assert list(shown) == COLUMNS  # all 37 answers, in Kaggle's order
    assert max(abs(shown[c] - e) for c,e in zip(shown, expected)) < 1e-4, (shown, expected)
    assert browser.find_elements('css selector', '#answers-html svg')  # the tree, drawn
    assert WebDriverWait(browser, 60).until(lambda b: b.find_elements('css selector', '#cam img, #cam canvas, #cam svg'))  # the Grad-CAM map

def test_app_names_a_bad_file(app, browser, tmp_path):
    from selenium.webdriver.support.ui import WebDriverWait
    bad = tmp_path/'not_a_galaxy.jpg'
    bad.write_text('a text file, renamed')
    _upload(browser, app, bad)
    def shown(b):
        text = b.find_element('tag name', 'body').text  # read once: the page may change between two reads
        return 'Not a usable image' in text and text
    msg = WebDriverWait(browser, 60).until(shown)
    line = next(l for l in msg.splitlines() if 'Not a usable image' in l)
    assert 'cannot decode' in line, line  # the reason, in one line
    assert 'Traceback' not in msg
