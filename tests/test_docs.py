"""Build the documentation site offline (`tools/docs.py`) and open every page in headless Chromium, checking what a reader
sees: each page loads with its title, top bar and sidebar; every image loads with a non-zero size; every sidebar and
in-page link leads to an existing page and anchor; no text of a page shows notebook prompts, raw markdown links, a
warning, a traceback or a machine's path; the API entries have clean signatures and parameter tables; and the search box
finds `branch_learner` and goes to its entry, and `gradcam` finds Grad-CAM. Every formula is typeset (KaTeX), every
image has alt text, no page scrolls sideways at 800 px, and at 390 px the sidebar folds behind a menu button. A screenshot of the home page is saved in the build folder
(`_docs/screenshot-home.png`) as a CI artifact."""
import fcntl, os, re, subprocess, sys, pytest
from pathlib import Path
from urllib.parse import urlparse, unquote

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT/'_docs'
BROKEN_IMAGES = "return [...document.images].filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.getAttribute('src'))"
LINKS = "return [...document.querySelectorAll('a[href]')].map(a => a.href)"
# What must never show on a page: notebook prompts, markdown that did not render, leaked logs, paths and progress bars
LEAKS = re.compile(r"In \[|Out\[|\[`|\w*Warning\b|Traceback \(most recent|/work/|/tmp/|/home/|/root/|site-packages|NoneType=None|\d+\.\d+% \[\d+/\d+"
                   r"|Better model found|<function|SuggestedLRs\(")
RAW_LATEX = re.compile(r'\$[^$\n]*\\[a-zA-Z]+[^$\n]*\$')  # a formula KaTeX did not typeset
PLACEHOLDER_ALT = 'No description has been provided'
SCROLL = "return document.documentElement.scrollWidth - document.documentElement.clientWidth"
MAIN_WIDTH = "return document.querySelector('main').getBoundingClientRect().width"
WAIT = 30  # seconds a wait may take: it ends as soon as its condition holds; under CI the other worker runs notebooks beside the browser, and a page load once took over 5 s there

@pytest.fixture(scope='module')
def site(tmp_path_factory):
    "The site, built once a test session: pytest-xdist runs a module fixture in each worker, and two builds at once broke one (seen here)"
    shared = tmp_path_factory.getbasetemp().parent if os.environ.get('PYTEST_XDIST_WORKER') else tmp_path_factory.getbasetemp()  # the workers' common folder
    with open(shared/'docs.lock', 'w') as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # the other worker waits here; the lock goes with the file
        if not (shared/'docs.built').exists():
            subprocess.run([sys.executable, str(ROOT/'tools'/'docs.py'), '--out', str(SITE)], check=True)
            (shared/'docs.built').touch()
    return SITE

def _figures_in_notebooks()->int:
    "Image outputs of the shown cells of the notebooks, i.e. the figures the site must show"
    import nbformat
    nbs = [nbformat.read(f, as_version=4) for f in sorted((ROOT/'nbs').glob('*.ipynb')) if not f.name.startswith('_')]
    return sum(bool({'image/png', 'image/svg+xml'} & set(o.get('data', {}))) for nb in nbs for c in nb.cells if c.cell_type == 'code' and '#| hide' not in c.source
               for o in c.get('outputs', []))

def _formulas(page:Path)->int:
    "Formulas (`$…$`) in the page's markdown text, outside code: each must become a KaTeX element"
    prose = ''.join(re.findall(r'<div class="text_cell_render[^"]*">(.*?)</div>', page.read_text(), re.S))
    return len(re.findall(r'\$[^$\n]+\$', re.sub(r'<(code|pre)\b.*?</\1>', '', prose, flags=re.S)))

def _ids(page:Path)->set:
    return set(re.findall(r'\bid="([^"]+)"', page.read_text()))

def test_docs_site(site, browser):
    pages = sorted(site.glob('*.html'))
    sidebar = re.findall(r'<a href="([^"]+)"', re.findall(r'<nav class="sidebar">(.*?)</nav>', (site/'index.html').read_text(), re.S)[0])
    assert len(pages) >= 13 and sorted(set(sidebar)) == [p.name for p in pages]  # every page is in the sidebar
    problems, n_images = [], 0
    for page in pages:
        browser.get(page.as_uri())
        if not browser.find_elements('css selector', 'main h1'): problems.append(f'{page.name}: did not load (no title)')
        if len(browser.find_elements('css selector', 'nav.sidebar a')) != len(sidebar): problems.append(f'{page.name}: sidebar differs')
        if not browser.find_elements('css selector', 'header.topbar input#search'): problems.append(f'{page.name}: no top bar with a search box')
        text = browser.find_element('tag name', 'body').text
        problems += [f'{page.name}: shows {m.group()!r}: …{text[max(0, m.start()-60):m.end()+60]}…' for m in LEAKS.finditer(text)]
        problems += [f'{page.name}: raw LaTeX {m!r}' for m in RAW_LATEX.findall(text)]
        if (n := _formulas(page)) and len(browser.find_elements('css selector', 'main .katex')) < n: problems.append(f'{page.name}: {n} formulas, fewer typeset')
        images = browser.find_elements('tag name', 'img')
        n_images += len(images)
        problems += [f'{page.name}: image without alt text: {i.get_attribute("src")[:60]}' for i in images if not i.get_attribute('alt') or PLACEHOLDER_ALT in i.get_attribute('alt')]
        problems += [f'{page.name}: image does not load: {src}' for src in browser.execute_script(BROKEN_IMAGES)]
        for href in browser.execute_script(LINKS):
            url = urlparse(href)
            if url.scheme != 'file': continue  # external links (GitHub, the published site) are not checked offline
            target = Path(unquote(url.path))
            if not target.is_file(): problems.append(f'{page.name}: link to a missing page: {href}')
            elif url.fragment and url.fragment not in _ids(target): problems.append(f'{page.name}: link to a missing anchor: {href}')
    assert not problems, '\n'.join(problems)
    assert n_images == _figures_in_notebooks() > 0, f'{n_images} images on the site, {_figures_in_notebooks()} figures in the notebooks'
    browser.get((site/'index.html').as_uri())
    assert browser.save_screenshot(str(site/'screenshot-home.png'))

def test_screen_widths(site, browser):
    "At 800 px no page scrolls sideways (wide tables and code scroll in their own box); at 390 px the sidebar folds behind a menu button and the text column keeps ≥ 300 px"
    problems = []
    try:
        for page in sorted(site.glob('*.html')):
            browser.set_window_size(800, 900); browser.get(page.as_uri())
            if (extra := browser.execute_script(SCROLL)) > 0: problems.append(f'{page.name}: scrolls {extra} px sideways at 800 px')
            if browser.find_element('css selector', 'nav.toc').is_displayed(): problems.append(f'{page.name}: page contents shown at 800 px')
            browser.set_window_size(390, 800)
            menu, sidebar = browser.find_element('css selector', 'button.menu'), browser.find_element('css selector', 'nav.sidebar')
            if not menu.is_displayed() or sidebar.is_displayed(): problems.append(f'{page.name}: at 390 px no menu button, or the sidebar is still open')
            elif (w := browser.execute_script(MAIN_WIDTH)) < 300: problems.append(f'{page.name}: text column {w:.0f} px at 390 px')
        menu.click()
        assert sidebar.is_displayed()  # the menu button opens the sidebar
    finally: browser.set_window_size(1280, 900)
    assert not problems, '\n'.join(problems)

def test_api_entries(site, browser):
    "An API entry as on an nbdev site: heading and source link, the signature with types and defaults, a parameter table; the page has a table of contents"
    browser.get((site/'models.html').as_uri())
    entry = browser.find_element('id', 'branch_learner').find_element('xpath', './ancestor::div[@class="api"]')
    assert entry.find_element('css selector', 'a.source').get_attribute('href').startswith('https://github.com/')
    sig = entry.find_element('css selector', 'pre').text
    assert sig.startswith('branch_learner(') and "loss='mse'" in sig and 'patience:int=5' in sig and '#' not in sig, sig
    rows = [' '.join(r.text.split()) for r in entry.find_elements('css selector', 'table.params tbody tr')]
    assert any(r.startswith('patience int 5 Early-stopping patience') for r in rows), rows
    base = browser.find_element('id', 'base_learner').find_element('xpath', './ancestor::div[@class="api"]')
    base_rows = [' '.join(r.text.split()) for r in base.find_elements('css selector', 'table.params tbody tr')]
    assert not any(r.startswith('Returns') for r in base_rows), base_rows  # the comment of `**kwargs` is no return value's
    assert any(r.startswith('kwargs') and 'base_cnn knobs' in r for r in base_rows), base_rows
    toc = [a.get_attribute('href').split('#')[-1] for a in browser.find_elements('css selector', 'nav.toc a')]
    assert 'branch_learner' in toc and len(toc) > 10
    browser.get((site/'performance.html').as_uri())  # a fastai Callback: no event keywords in its signature
    assert browser.find_element('id', 'traintimer').find_element('xpath', './ancestor::div[@class="api"]').find_element('css selector', 'pre').text == 'TrainTimer()'

def test_search(site, browser):
    "The offline search finds `branch_learner` from any page, and Enter goes to its entry"
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait
    browser.get((site/'tree.html').as_uri())
    box = browser.find_element('id', 'search')
    box.send_keys('branch_learner')
    first = WebDriverWait(browser, WAIT).until(lambda b: b.find_elements('css selector', '.search .results a'))[0]
    assert first.get_attribute('href').endswith('models.html#branch_learner'), first.get_attribute('href')
    box.send_keys(Keys.ENTER)
    WebDriverWait(browser, WAIT).until(lambda b: b.current_url.endswith('models.html#branch_learner'))
    entry = WebDriverWait(browser, WAIT).until(lambda b: b.find_elements('id', 'branch_learner'))[0]  # the URL changes before the new page has loaded
    assert entry.is_displayed()
    box = browser.find_element('id', 'search')
    box.send_keys('gradcam')  # no hyphen, any case: finds Grad-CAM
    hits = WebDriverWait(browser, WAIT).until(lambda b: b.find_elements('css selector', '.search .results a'))
    assert any('interpretation.html' in a.get_attribute('href') for a in hits), [a.get_attribute('href') for a in hits]
    assert re.sub(r'[\W_]', '', browser.find_element('css selector', '.search .results a mark').text.lower()) == 'gradcam'  # the match highlighted
    snippets = ' '.join(a.text for a in hits)
    assert not re.search(r'In \[|Out\[|¶|\w \. \w', snippets), snippets  # the text a reader sees: no prompts, glyphs or token spacing
    box.send_keys(Keys.ARROW_DOWN)
    assert browser.find_elements('css selector', '.search .results a')[1].get_attribute('class') == 'selected'
    box.clear(); box.send_keys(Keys.ESCAPE)
    box.send_keys('zzqxj')
    assert WebDriverWait(browser, WAIT).until(lambda b: b.find_element('css selector', '.search .results').text) == 'No results'

