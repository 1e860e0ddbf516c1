import os, shutil, matplotlib, pytest
matplotlib.use('Agg')  # notebooks draw figures; no screen here
os.environ.setdefault('MPLBACKEND', 'Agg')

@pytest.fixture(scope='module')
def browser(tmp_path_factory):
    "Headless Chromium (Debian's `chromium` and `chromedriver`) driven by Selenium, 1280 px wide; skipped without it, failed under CI"
    chromium, driver = shutil.which('chromium'), shutil.which('chromedriver')
    if not (chromium and driver):
        if os.environ.get('CI'): pytest.fail('headless Chromium is needed: apt-get install chromium chromium-driver')
        pytest.skip('chromium / chromedriver not installed (apt-get install chromium chromium-driver)')
    from selenium import webdriver
    opts = webdriver.ChromeOptions()
    opts.binary_location = chromium
    for a in ('--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--window-size=1280,900',
              f"--user-data-dir={tmp_path_factory.mktemp('chromium')}"): opts.add_argument(a)  # its profile where pytest cleans up, not in /tmp
    d = webdriver.Chrome(service=webdriver.ChromeService(driver), options=opts)
    yield d
    d.quit()
