"""Build the documentation site offline (`tools/docs.py`) and open every page in headless Chromium: each page loads with
its title and sidebar, every image on it loads, and every internal link leads to an existing page and anchor. A
screenshot of the home page is saved in the build folder (`_docs/screenshot-home.png`) as a CI artifact."""
import os, re, shutil, subprocess, sys, pytest
from pathlib import Path
from urllib.parse import urlparse, unquote

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT/'_docs'
CHROMIUM, DRIVER = shutil.which('chromium'), shutil.which('chromedriver')
BROKEN_IMAGES = "return [...document.images].filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.getAttribute('src'))"
LINKS = "return [...document.querySelectorAll('a[href]')].map(a => a.href)"

@pytest.fixture(scope='module')
def site():
    subprocess.run([sys.executable, str(ROOT/'tools'/'docs.py'), '--out', str(SITE)], check=True)
    return SITE

@pytest.fixture(scope='module')
def browser():
    if not (CHROMIUM and DRIVER):
        if os.environ.get('CI'): pytest.fail('headless Chromium is needed: apt-get install chromium chromium-driver')
        pytest.skip('chromium / chromedriver not installed (apt-get install chromium chromium-driver)')
    from selenium import webdriver
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for a in ('--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--window-size=1280,900'): opts.add_argument(a)
    driver = webdriver.Chrome(service=webdriver.ChromeService(DRIVER), options=opts)
    yield driver
    driver.quit()

def _figures_in_notebooks()->int:
    "Image outputs of the shown cells of the notebooks, i.e. the figures the site must show"
    import nbformat
    nbs = [nbformat.read(f, as_version=4) for f in sorted((ROOT/'nbs').glob('*.ipynb')) if not f.name.startswith('_')]
    return sum('image/png' in o.get('data', {}) for nb in nbs for c in nb.cells if c.cell_type == 'code' and '#| hide' not in c.source
               for o in c.get('outputs', []))

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
        n_images += len(browser.find_elements('tag name', 'img'))
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
