"""Build the documentation site offline into `_docs/`, from nbdev's processed notebooks (`nbdev_proc_nbs`).

Quarto (what `nbdev_docs` uses) cannot be installed on our machines; users who have it run `nbdev_docs` as usual.
This builds the same pages with nbconvert, laid out as an nbdev site: a top bar with an offline search box (a static
index, `search-index.js`, searched by a small script: no server needed, `file://` works), the sidebar of
`nbs/sidebar.yml`, a table of contents per page, and each `show_doc` entry as a heading with its source link, the
signature as plain code with types and defaults, the docstring and a table of the parameters' docments. Each notebook
becomes the page nbdev names it (`output-file`), with its figures as files and links between pages made relative.
Usage: `python tools/docs.py [--out _docs]`."""
import galaxy_fastai  # first: it silences a warning fastai's import gives about torch's internals
import argparse, html, importlib, inspect, json, re, shutil, yaml, nbformat
from pathlib import Path
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

CSS = """
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.55 system-ui, sans-serif; color: #222; }
[id] { scroll-margin-top: 60px; }  /* a link to an anchor does not hide its heading under the top bar */
header.topbar { position: sticky; top: 0; z-index: 10; display: flex; align-items: center; gap: 1.5rem; height: 52px; padding: 0 1.2rem;
  background: #2a3f5f; color: #fff; box-shadow: 0 1px 3px rgba(0,0,0,.2); }
header.topbar a { color: #fff; text-decoration: none; }
header.topbar .brand { font-size: 18px; font-weight: 700; }
header.topbar .spacer { flex: 1; }
.search { position: relative; }
.search input { width: 300px; padding: 5px 10px; border-radius: 4px; border: none; font-size: 14px; }
.search .results { display: none; position: absolute; right: 0; top: 34px; width: 520px; max-height: 70vh; overflow-y: auto; background: #fff;
  color: #222; border: 1px solid #ccc; border-radius: 4px; box-shadow: 0 4px 12px rgba(0,0,0,.2); }
.search .results.open { display: block; }
.search .results a { display: block; padding: 6px 10px; color: #222; border-bottom: 1px solid #eee; }
.search .results a:hover, .search .results a.selected { background: #eef3fa; }
.search .results .where { font-weight: 600; color: #2a3f5f; } .search .results .snippet { font-size: 12px; color: #666; }
.search .results .none { padding: 8px 10px; color: #666; }
.layout { display: flex; align-items: flex-start; }
nav.sidebar { width: 250px; flex: none; padding: 1rem; background: #f6f7f9; border-right: 1px solid #ddd; position: sticky; top: 52px;
  height: calc(100vh - 52px); overflow-y: auto; }
nav.sidebar a { display: block; padding: 2px 6px; color: #234; text-decoration: none; border-radius: 4px; }
nav.sidebar a.active { background: #dde6f3; font-weight: 600; }
nav.sidebar .section { margin: 1rem 0 .3rem; font-size: 12px; text-transform: uppercase; color: #667; }
main { flex: 1; min-width: 0; max-width: 960px; padding: 1rem 2rem 4rem; }
nav.toc { width: 230px; flex: none; position: sticky; top: 52px; max-height: calc(100vh - 52px); overflow-y: auto; padding: 1.2rem 1rem; font-size: 13px; }
nav.toc .title { font-weight: 600; margin-bottom: .4rem; }
nav.toc a { display: block; color: #456; text-decoration: none; padding: 1px 0; border-left: 2px solid #e3e3e3; padding-left: 8px; }
nav.toc a.h3 { padding-left: 20px; font-size: 12px; } nav.toc a:hover { color: #000; border-left-color: #2a3f5f; }
@media (max-width: 1250px) { nav.toc { display: none; } }
p.description { font-size: 17px; color: #555; margin-top: -.5rem; }
pre, code { font-size: 13px; } pre { background: #f8f8f8; padding: .6rem; overflow-x: auto; border-radius: 4px; }
.output_area pre { background: none; } img { max-width: 100%; }
.jp-InputPrompt, .jp-OutputPrompt, .prompt { display: none; }  /* nbconvert's classic template: `.prompt` */
a.anchor-link { visibility: hidden; text-decoration: none; color: #999; margin-left: .3em; }
h1:hover a.anchor-link, h2:hover a.anchor-link, h3:hover a.anchor-link, h4:hover a.anchor-link { visibility: visible; }  /* as nbdev sites: on hover */
table { border-collapse: collapse; font-size: 13px; } td, th { border: 1px solid #ddd; padding: 2px 6px; }
.api { border-top: 1px solid #ccc; margin-top: 2rem; padding-top: .2rem; }
.api-head { display: flex; align-items: baseline; } .api-head h3, .api-head h4 { flex: 1; font-family: monospace; font-size: 17px; }
.api-head a.source { font-size: 13px; color: #667; }
table.params { margin: .5rem 0 1rem; } table.params th { background: #f3f5f8; text-align: left; }
table.params td:first-child { font-family: monospace; white-space: nowrap; } table.params p { margin: 0; }
"""

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title} – {lib}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><link rel="stylesheet" href="site.css"></head>
<body><header class="topbar"><a href="index.html" class="brand">{lib}</a><span class="spacer"></span>
<div class="search"><input id="search" type="search" placeholder="Search the docs" autocomplete="off" aria-label="Search"><div class="results"></div></div>
<a href="{git_url}">GitHub</a></header>
<div class="layout"><nav class="sidebar">{nav}</nav>
<main><h1>{title}</h1><p class="description">{description}</p>
{body}
</main><nav class="toc">{toc}</nav></div>
<script src="search-index.js"></script><script src="search.js"></script></body></html>
"""

# Full-text search without a server: the index is a script (a JSON file cannot be fetched from a `file://` page)
SEARCH_JS = r"""
(() => {
  const box = document.getElementById('search'), out = box.nextElementSibling;
  const esc = s => s.replace(/[&<>"]/g, c => ({'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;'}[c]));
  function score(doc, terms) {
    let s = 0;
    for (const t of terms) {
      const title = doc.s.toLowerCase(), text = doc.x.toLowerCase();
      if (title === t) s += 50; else if (title.includes(t)) s += 10; else if (text.includes(t)) s += 1; else return 0;
      if (doc.t.toLowerCase().includes(t)) s += 2;
    }
    return s;
  }
  function snippet(doc, term) {
    const i = doc.x.toLowerCase().indexOf(term);
    return i < 0 ? doc.x.slice(0, 120) : (i > 40 ? '…' : '') + doc.x.slice(Math.max(0, i - 40), i + 80) + '…';
  }
  function search() {
    const terms = box.value.toLowerCase().split(/\s+/).filter(Boolean);
    if (!terms.length) { out.classList.remove('open'); return; }
    const hits = SEARCH_INDEX.map(d => [score(d, terms), d]).filter(h => h[0] > 0).sort((a, b) => b[0] - a[0]).slice(0, 12);
    out.innerHTML = hits.length ? hits.map(([, d], i) => `<a href="${d.u}"${i ? '' : ' class="selected"'}><span class="where">${esc(d.t)}${d.s !== d.t ? ' › ' + esc(d.s) : ''}</span>`
      + `<div class="snippet">${esc(snippet(d, terms[0]))}</div></a>`).join('') : '<div class="none">No results</div>';
    out.classList.add('open');
  }
  box.addEventListener('input', search);
  box.addEventListener('keydown', e => {
    if (e.key === 'Enter') { const a = out.querySelector('a'); if (a) location.href = a.href; }
    if (e.key === 'Escape') { box.value = ''; out.classList.remove('open'); }
  });
  document.addEventListener('click', e => { if (!e.target.closest('.search')) out.classList.remove('open'); });
})();
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

def prepare(nb):
    "Drop the front matter and hidden cells, hide `echo: false` inputs, strip directive lines from shown code"
    cells = []
    for c in nb.cells:
        if c.cell_type == 'raw': continue
        if c.cell_type == 'code':
            d = _directives(c.source)
            if 'hide' in d or d.get('include') == 'false': continue
            c.source = re.sub(r'^#\|.*\n?', '', c.source, flags=re.M).strip()
            tags = set(c.metadata.get('tags', []))
            if d.get('echo') == 'false' or not c.source: tags.add('remove_input')
            c.metadata['tags'] = sorted(tags)
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

def _text(s): return re.sub(r'\s+', ' ', html.unescape(re.sub(r'<[^>]+>', ' ', s))).strip()

def toc_html(body):
    "The page's table of contents: its h2 and h3 headings"
    hs = [(l, i, _text(re.sub(r'<a class="anchor-link".*?</a>', '', t))) for l,i,t in HEADING.findall(body)]
    if not hs: return ''
    return '<div class="title">On this page</div>' + ''.join(f'<a class="h{l}" href="#{i}">{html.escape(t)}</a>' for l,i,t in hs)

def search_entries(fn, title, body, limit=3000):
    "One search entry per section of a page (split at h2/h3): page title, section title, link, text"
    body = re.sub(r'<(script|style)\b.*?</\1>', ' ', body, flags=re.S)
    cuts = [(0, title, fn)] + [(m.start(), _text(re.sub(r'<a class="anchor-link".*?</a>', '', m[3])), f'{fn}#{m[2]}') for m in HEADING.finditer(body)]
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

def build(out:Path):
    cfg = get_config()
    nbs, proc = cfg.nbs_path, cfg.config_path/'_proc'
    _build_modidx(); proc_nbs(nbs, n_workers=2)  # what `nbdev_proc_nbs` does, without its attempt to install Quarto
    if out.exists(): shutil.rmtree(out)
    out.mkdir(parents=True)
    (out/'site.css').write_text(CSS + HtmlFormatter().get_style_defs('.highlight'))
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
        body = re.sub(r'(id="|href="#)([^"]+)"', lambda m: m[1] + m[2].lower() + '"', body)  # lower-case anchors, as Quarto's
        for n,(f,_) in pages.items(): body = body.replace(f'href="{n}', f'href="{f}')
        index += search_entries(fn, title, body)
        (out/fn).write_text(PAGE.format(title=html.escape(title), lib=cfg.lib_name, git_url=cfg.git_url, toc=toc_html(body),
                                        description=re.sub(r'^<p>|</p>$', '', markdown2html(fm.get('description', '')).strip()),
                                        nav=nav_html(entries, pages, fn), body=body))
    (out/'search-index.js').write_text('const SEARCH_INDEX = ' + json.dumps(index, ensure_ascii=False) + ';\n')
    (out/'search.js').write_text(SEARCH_JS)
    print(f"{len(pages)} pages written to {out}")
    return out

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--out', default=str(get_config().config_path/'_docs'))
    build(Path(p.parse_args().out))
