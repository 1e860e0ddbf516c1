"""Build the documentation site offline into `_docs/`, from nbdev's processed notebooks (`nbdev_proc_nbs`).

Quarto (what `nbdev_docs` uses) cannot be installed on our machines; users who have it run `nbdev_docs` as usual.
This builds the same pages with nbconvert, laid out as an nbdev site: a top bar with an offline search box (a static
index, `search-index.js`, searched by a small script: no server needed, `file://` works), the sidebar of
`nbs/sidebar.yml`, a table of contents per page, and each `show_doc` entry as a heading with its source link, the
signature as plain code with types and defaults, the docstring and a table of the parameters' docments. Each notebook
becomes the page nbdev names it (`output-file`), with its figures as files and links between pages made relative.
Formulas are typeset by KaTeX, copied into the site from a package (Debian's libjs-katex; `KATEX_DIR` for npm's). Outputs
are shown as a reader needs them: figures with alt text and their Quarto `fig-cap` as caption, long text folded behind
a toggle, fastai's "Better model found" log lines dropped. Layout and behaviour: `tools/site/site.css` and `site.js`.
Usage: `python tools/docs.py [--out _docs]`."""
import galaxy_fastai  # first: it silences a warning fastai's import gives about torch's internals
import argparse, base64, html, os, importlib, inspect, json, re, shutil, yaml, nbformat
from pathlib import Path
from urllib.parse import unquote
from nbformat.v4 import new_output
from nbconvert import HTMLExporter
from nbconvert.preprocessors import ExtractOutputPreprocessor, TagRemovePreprocessor
from nbconvert.filters import markdown2html
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import PythonLexer
from fastai.callback.core import Callback
from nbdev.doclinks import NbdevLookup
from fastcore.docments import docments
from nbdev.config import get_config
from nbdev.doclinks import _build_modidx
from nbdev.serve import proc_nbs

SITE_ASSETS = Path(__file__).parent/"site"  # the stylesheet and script of every page
KATEX = Path(os.environ.get("KATEX_DIR", "/usr/share/javascript/katex"))  # Debian's libjs-katex; npm's katex: node_modules/katex/dist

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title} – {lib}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><link rel="stylesheet" href="site.css"><link rel="stylesheet" href="katex/katex.min.css"></head>
<body><header class="topbar"><button class="menu" type="button" aria-label="Menu" aria-expanded="false">☰</button>
<a href="index.html" class="brand">{lib}</a><span class="spacer"></span>
<div class="search"><input id="search" type="search" placeholder="Search the docs" autocomplete="off" aria-label="Search"><div class="results"></div></div>
<a class="github" href="{git_url}">GitHub</a></header>
<div class="layout"><nav class="sidebar">{nav}</nav>
<main><h1>{title}</h1><p class="description">{description}</p>
{body}
{pager}</main><nav class="toc">{toc}</nav></div>
<script src="katex/katex.min.js"></script><script src="katex/contrib/auto-render.js"></script>
<script src="search-index.js"></script><script src="site.js"></script></body></html>
"""

def sidebar_entries(nbs:Path):
    "(section, notebook name) pairs in sidebar order"
    res = []
    def walk(items, section=None):
        for o in items:
            if isinstance(o, str): res.append((section, o))
            else: walk(o['contents'], o.get('section'))
    walk(yaml.safe_load((nbs/'sidebar.yml').read_text())['website']['sidebar']['contents'])
    return res

def frontmatter(nb):
    "The YAML front matter nbdev puts in the first raw cell (title, description, output-file)"
    raw = next((c for c in nb.cells if c.cell_type == 'raw' and c.source.startswith('---')), None)
    return (yaml.safe_load(raw.source.strip().strip('-')) or {}) if raw else {}

def _directives(src):
    "nbdev `#| key: value` lines of a code cell"
    return dict((m[1], m[2].strip()) for m in re.finditer(r'^#\|\s*([\w-]+):?\s*(.*)$', src, re.M))

FIGURES = ('image/png', 'image/jpeg', 'image/svg+xml')
LONG_FLOAT = re.compile(r'(?<![\w.])-?\d+\.\d{7,}(?![\d.])')  # 0.35294117647058826 in a printed dict: 4 significant digits say it
LOG_NOISE = re.compile(r'^Better model found at epoch .*\n?', re.M)  # fastai's SaveModelCallback prints one per improvement: a log, not a lesson

def _sentence(md:str, limit=200)->str:
    "The first sentence of markdown, as plain text"
    t = _text(markdown2html(re.sub(r'^#+\s*', '', md.strip(), flags=re.M)))
    m = re.match(r'(.+?[.!?])(\s|$)', t)
    return (m[1] if m else t)[:limit]

def _fold(o, max_lines=25):
    "A text output of more than `max_lines` lines behind a «show» toggle (a `summary()`, a long log)"
    text = o.get('text') if o.get('output_type') == 'stream' else None
    if o.get('output_type') in ('execute_result', 'display_data') and set(o.get('data', {})) == {'text/plain'}: text = o['data']['text/plain']
    n = len((text or '').rstrip().splitlines())
    if n <= max_lines: return o
    return new_output('display_data', {'text/html': f'<details class="long-output"><summary>Show the output ({n} lines)</summary><pre>{html.escape(text)}</pre></details>'})

def _outputs(c, alt:str, caption:str|None)->list:
    "A code cell's outputs as the site shows them: no log noise, long text folded, figures with alt text and caption"
    res = []
    for o in c.get('outputs', []):
        if o.get('output_type') == 'stream':
            o['text'] = LOG_NOISE.sub('', o['text'])
            if not o['text'].strip(): continue
        for k in ('text', 'text/plain'):
            d = o if k == 'text' else o.get('data', {})
            if isinstance(d.get(k), str): d[k] = LONG_FLOAT.sub(lambda m: f'{float(m[0]):.4g}', d[k])
        if 'image/svg+xml' in o.get('data', {}):  # nbconvert's template gives a drawing (graphviz, torchview) no alt text
            svg = base64.b64encode(o['data']['image/svg+xml'].encode()).decode()
            o = new_output('display_data', {'text/html': f'<img alt="{html.escape(alt)}" src="data:image/svg+xml;base64,{svg}">'})
            res.append(o)
        else: res.append(_fold(o))
        if set(o.get('data', {})) & set(FIGURES) or 'image/svg+xml' in o.get('data', {}).get('text/html', ''):
            c.metadata['alt'] = alt  # nbconvert's template reads a cell's `alt` for its images
            if caption: res.append(new_output('display_data', {'text/html': f'<p class="caption">{_md(caption)}</p>'}))
    return res

def prepare(nb):
    "Drop the front matter and hidden cells, hide `echo: false` inputs, strip directive lines from shown code, tidy outputs"
    cells, before = [], ''
    for c in nb.cells:
        if c.cell_type == 'raw': continue
        if c.cell_type == 'markdown': before = c.source
        if c.cell_type == 'code':
            d = _directives(c.source)
            if 'hide' in d or d.get('include') == 'false': continue
            c.source = re.sub(r'^#\|.*\n?', '', c.source, flags=re.M).strip()
            tags = set(c.metadata.get('tags', []))
            if d.get('echo') == 'false' or not c.source: tags.add('remove_input')
            c.metadata['tags'] = sorted(tags)
            # Quarto's figure options: `fig-cap` (shown under the figure, and its alt text unless `fig-alt` says more)
            cap = d.get('fig-cap', '').strip('"\'') or None
            alt = d.get('fig-alt', '').strip('"\'') or (_text(_md(cap)) if cap else _sentence(before))
            c.outputs = _outputs(c, alt, cap)
        cells.append(c)
    nb.cells = cells
    return nb

SHOW_DOC = re.compile(r'---\n\n(?:\[source\]\((?P<src>[^)]+)\)\{[^}]*\}\n\n)?(?P<level>#+) (?P<name>[^\n]+)\n\n```python\n(?P<sig>.*?)\n```\n*(?P<doc>.*)', re.S)

def _resolve(src, name):
    "The object `show_doc` documented: its module from the source link, then the dotted name"
    m = re.search(rf'/blob/[^/]+/({get_config().lib_path.name}(?:/\w+)*)\.py#', src or '')
    if not m: return None
    try: obj = importlib.import_module(m[1].replace('/', '.'))
    except ImportError: return None
    for part in name.split('.'):
        obj = getattr(obj, part, None)
        if obj is None: return None
    return obj

def _fmt(o, empty=inspect.Parameter.empty):
    if o is empty: return ''
    if isinstance(o, str): return o
    return getattr(o, '__name__', None) or inspect.formatannotation(o).replace(' ', '')

def _fmt_default(d)->str:
    "A default as code: a function or class by name, anything else as its repr"
    return _fmt(d) if callable(d) else repr(d)

def _own_return_docment(obj, dm:dict)->dict:
    "`dm` with the comment of a last parameter given back to it: fastcore's `docments` reads a comment on the line before `)->` as the return value's"
    ret = dm.get('return', {}).get('docment')
    try: lines = inspect.getsource(obj).split('\n')
    except (OSError, TypeError): return dm
    arrow = next((l for l in lines if re.match(r'\s*\)\s*->', l)), None)  # `)->` starting a line: the comment before it is a parameter's
    last = [k for k in dm if k not in ('return', 'self')][-1:]
    if ret and arrow is not None and '#' not in arrow and last and not dm[last[0]].get('docment'):
        dm[last[0]]['docment'], dm['return']['docment'] = ret, None
    return dm

def _params(obj)->dict:
    "name -> docments (`anno`, `default`, `docment`) of `obj`, without the event hooks fastai gives every `Callback` as keywords"
    dm = _own_return_docment(obj, docments(obj, full=True)) if inspect.isfunction(obj) else docments(obj, full=True)
    try: sig = inspect.signature(obj)
    except (TypeError, ValueError): sig = None
    for k,v in dm.items():  # docments guesses a type from the default (`NoneType` for None): show the annotation written, if any
        if k == 'return': continue
        v['anno'] = sig.parameters[k].annotation if sig and k in sig.parameters else inspect.Parameter.empty
    if inspect.isclass(obj) and issubclass(obj, Callback) and obj.__init__ is Callback.__init__: dm = {k:v for k,v in dm.items() if k == 'return'}
    return {k:v for k,v in dm.items() if k != 'self'}

def _signature(name, dm, maxline=88):
    "A signature as code: every parameter with its type and default, on one line or one line per parameter"
    empty = inspect.Parameter.empty
    def one(k, v):
        pre = {inspect.Parameter.VAR_POSITIONAL: '*', inspect.Parameter.VAR_KEYWORD: '**'}.get(v.get('kind'), '')
        anno, default = v.get('anno', empty), v.get('default', empty)
        return pre + k + (f':{_fmt(anno)}' if anno is not empty else '') + (f'={_fmt_default(default)}' if default is not empty else '')
    ps = [one(k, v) for k,v in dm.items() if k != 'return']
    ret = dm.get('return', {}).get('anno', empty)
    tail = f')->{_fmt(ret)}' if ret is not empty else ')'
    flat = f'{name}({", ".join(ps)}{tail}'
    return flat if len(flat) <= maxline else f'{name}(\n' + ''.join(f'    {p},\n' for p in ps) + tail

def _md(s): return re.sub(r'^<p>(.*)</p>$', r'\1', markdown2html(NbdevLookup().linkify(s)).strip(), flags=re.S) if s else ''  # one paragraph: no <p> in a table cell

def _param_table(dm):
    "nbdev's parameter table: type, default and docment of each parameter (and the return value's docment)"
    if not any(v.get('docment') for v in dm.values()): return ''
    empty = inspect.Parameter.empty
    rows = []
    for k,v in dm.items():
        if k == 'return' and not v.get('docment'): continue
        d = v.get('default', empty)
        rows.append(f'<tr><td>{"<b>Returns</b>" if k == "return" else html.escape(k)}</td><td>{html.escape(_fmt(v.get("anno", empty)))}</td>'
                    f'<td>{"" if d is empty else html.escape(_fmt_default(d))}</td><td>{_md(v.get("docment") or "")}</td></tr>')
    return '<table class="params"><thead><tr><th></th><th>Type</th><th>Default</th><th>Details</th></tr></thead><tbody>' + ''.join(rows) + '</tbody></table>'

def api_html(md):
    "`show_doc`'s markdown as an nbdev site shows it: heading with a source link, the signature as plain code, the docstring, the parameter table"
    m = SHOW_DOC.match(md)
    if not m: return None
    name, obj = m['name'].strip(), _resolve(m['src'], m['name'].strip())
    if obj is not None and callable(obj):
        dm = _params(obj)
        sig, table = _signature(name, dm), _param_table(dm)
    else:  # not found by name: nbdev's code block without its docment comments (which carry markdown links)
        sig, table = '\n'.join(re.sub(r',? # .*$', ',', l) for l in m['sig'].splitlines()).replace(',\n)', '\n)'), ''
    level, anchor = len(m['level']), name.lower()
    src = f'<a class="source" href="{m["src"]}">source</a>' if m['src'] else ''
    return (f'<div class="api"><div class="api-head"><h{level} id="{anchor}">{html.escape(name)}<a class="anchor-link" href="#{anchor}">¶</a></h{level}>{src}</div>'
            + highlight(sig, PythonLexer(), HtmlFormatter()) + markdown2html(m['doc'].strip()) + table + '</div>')  # nbdev linked the docstring already

def render_api(nb):
    "Replace each `show_doc` output of `nb` by `api_html`"
    for c in nb.cells:
        for o in c.get('outputs', []):
            md = o.get('data', {}).get('text/markdown')
            if md and (h := api_html(md)): o['data'] = {'text/html': h}
    return nb

PROGRESS = re.compile(r'<progress[^>]*>\s*</progress>[^<]*')

HEADING = re.compile(r'<h([23])[^>]*\bid="([^"]+)"[^>]*>(.*?)</h\1>', re.S)

BLOCK_TAGS = re.compile(r'</?(?:p|div|pre|br|li|ul|ol|tr|td|th|table|h\d|details|summary)\b[^>]*>')
HIDDEN = re.compile(r'<div class="prompt[^"]*">.*?</div>|<a class="(?:anchor-link|source)".*?</a>', re.S)

def _text(s):
    "The text a reader sees in HTML: no hidden prompts, ¶ or source links; inline tags (code tokens) joined, blocks spaced"
    s = BLOCK_TAGS.sub(' ', HIDDEN.sub('', s))
    return re.sub(r'\s+', ' ', html.unescape(re.sub(r'<[^>]+>', '', s))).strip()

def quarto_id(s:str)->str:
    "An anchor as Quarto (pandoc) writes it: lower case, no punctuation but `_ - .`, nothing before the first letter"
    return re.sub(r'^[^a-z_]+', '', re.sub(r'[^\w.-]', '', s.lower()))

def toc_html(body):
    "The page's table of contents: its h2 and h3 headings"
    hs = [(l, i, _text(t)) for l,i,t in HEADING.findall(body)]
    if not hs: return ''
    return '<div class="title">On this page</div>' + ''.join(f'<a class="h{l}" href="#{i}">{html.escape(t)}</a>' for l,i,t in hs)

def search_entries(fn, title, body, limit=3000):
    "One search entry per section of a page (split at h2/h3): page title, section title, link, text"
    body = re.sub(r'<(script|style)\b.*?</\1>', ' ', body, flags=re.S)
    cuts = [(0, title, fn)] + [(m.start(), _text(m[3]), f'{fn}#{m[2]}') for m in HEADING.finditer(body)]
    ends = [c[0] for c in cuts[1:]] + [len(body)]
    return [{'t': title, 's': s, 'u': u, 'x': _text(body[a:b])[:limit]} for (a,s,u),b in zip(cuts, ends)]

def nav_html(entries, pages, current):
    "The sidebar: sections and page links, the current page marked"
    out, section = [], object()
    for sec,name in entries:
        if sec != section and sec: out.append(f'<div class="section">{html.escape(sec)}</div>')
        section = sec
        fn, title = pages[name]
        active = ' class="active"' if fn == current else ''
        out.append(f'<a href="{fn}"{active}>{html.escape(title)}</a>')
    return '\n'.join(out)

def pager_html(entries, pages, current):
    "Links to the previous and next pages of the sidebar"
    order = [pages[name] for _,name in entries]
    i = [f for f,_ in order].index(current)
    link = lambda k, cls, label: (f'<a class="{cls}" href="{order[k][0]}"><small>{label}</small>{html.escape(order[k][1])}</a>'
                                  if 0 <= k < len(order) else '')
    return f'<nav class="pager">{link(i-1, "prev", "← Previous")}{link(i+1, "next", "Next →")}</nav>'

def build(out:Path):
    cfg = get_config()
    nbs, proc = cfg.nbs_path, cfg.config_path/'_proc'
    _build_modidx(); proc_nbs(nbs, n_workers=2)  # what `nbdev_proc_nbs` does, without its attempt to install Quarto
    if not (KATEX/'katex.min.js').is_file():
        raise SystemExit(f"tools/docs.py: KaTeX is not in {KATEX} (it typesets the math): apt-get install libjs-katex, or npm install katex and set KATEX_DIR=node_modules/katex/dist")
    if out.exists(): shutil.rmtree(out)
    out.mkdir(parents=True)
    (out/'site.css').write_text((SITE_ASSETS/'site.css').read_text() + HtmlFormatter().get_style_defs('.highlight'))
    shutil.copy(SITE_ASSETS/'site.js', out/'site.js')
    shutil.copytree(KATEX, out/'katex', ignore=shutil.ignore_patterns('*.mjs', '*.ttf', '*.woff'))  # woff2 fonts serve every current browser
    if (nbs/'images').is_dir(): shutil.copytree(nbs/'images', out/'images')
    entries = sidebar_entries(nbs)
    nb_files = {name: nbformat.read(proc/name, as_version=4) for _,name in entries}
    pages = {name: (frontmatter(nb).get('output-file') or Path(name).with_suffix('.html').name, frontmatter(nb).get('title', name))
             for name,nb in nb_files.items()}
    site = f"{cfg.doc_host}{cfg.doc_baseurl}".rstrip('/') + '/'
    exporter = HTMLExporter(template_name='basic')
    exporter.register_preprocessor(TagRemovePreprocessor(remove_input_tags={'remove_input'}), enabled=True)
    exporter.register_preprocessor(ExtractOutputPreprocessor(), enabled=True)
    index = []
    for name,nb in nb_files.items():
        fn, title = pages[name]
        fm = frontmatter(nb)
        body, res = exporter.from_notebook_node(render_api(prepare(nb)), resources={'output_files_dir': Path(fn).stem + '_files'})
        for f,data in res.get('outputs', {}).items():
            (out/f).parent.mkdir(parents=True, exist_ok=True)
            (out/f).write_bytes(data)
        body = PROGRESS.sub('', body)  # what a finished fastprogress bar leaves in a notebook: a bar and "100.00% [5/5 00:01<00:00]"
        body = body.replace(f'href="{site}', 'href="')  # nbdev links API names to the published site: keep them local
        body = re.sub(r'\{target="_blank"[^}]*\}', '', body)  # Quarto link attributes in markdown
        for n,(f,_) in pages.items(): body = body.replace(f'href="{n}', f'href="{f}')
        body = re.sub(r'(id="|href="(?:[\w-]+\.html)?#)([^"]+)"', lambda m: m[1] + quarto_id(unquote(m[2])) + '"', body)  # anchors as Quarto's
        index += search_entries(fn, title, body)
        (out/fn).write_text(PAGE.format(title=html.escape(title), lib=cfg.lib_name, git_url=cfg.git_url, toc=toc_html(body),
                                        description=re.sub(r'^<p>|</p>$', '', markdown2html(fm.get('description', '')).strip()),
                                        nav=nav_html(entries, pages, fn), pager=pager_html(entries, pages, fn), body=body))
    (out/'search-index.js').write_text('const SEARCH_INDEX = ' + json.dumps(index, ensure_ascii=False) + ';\n')
    print(f"{len(pages)} pages written to {out}")
    return out

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--out', default=str(get_config().config_path/'_docs'))
    build(Path(p.parse_args().out))
