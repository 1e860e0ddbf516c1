"""Build the documentation site offline into `_docs/`, from nbdev's processed notebooks (`nbdev_proc_nbs`).

Quarto (what `nbdev_docs` uses) cannot be installed on our machines; users who have it run `nbdev_docs` as usual.
This builds the same pages with nbconvert: each notebook of `nbs/sidebar.yml` becomes the page nbdev names it
(`output-file`), with its figures as files, nbdev's `show_doc` API docs, links between pages made relative, and the
sidebar. Usage: `python tools/docs.py [--out _docs]`."""
import argparse, html, re, shutil, yaml, nbformat
from pathlib import Path
from nbconvert import HTMLExporter
from nbconvert.preprocessors import ExtractOutputPreprocessor, TagRemovePreprocessor
from nbconvert.filters import markdown2html
from pygments.formatters import HtmlFormatter
from nbdev.config import get_config
from nbdev.doclinks import _build_modidx
from nbdev.serve import proc_nbs

CSS = """
body { margin: 0; font: 15px/1.5 system-ui, sans-serif; color: #222; display: flex; }
nav.sidebar { width: 250px; flex: none; padding: 1rem; background: #f6f7f9; border-right: 1px solid #ddd; min-height: 100vh; box-sizing: border-box; }
nav.sidebar a { display: block; padding: 2px 6px; color: #234; text-decoration: none; border-radius: 4px; }
nav.sidebar a.active { background: #dde6f3; font-weight: 600; }
nav.sidebar .section { margin: 1rem 0 .3rem; font-size: 12px; text-transform: uppercase; color: #667; }
nav.sidebar .brand { font-size: 18px; font-weight: 700; margin-bottom: .5rem; }
main { max-width: 980px; padding: 1rem 2rem 4rem; overflow-x: auto; }
p.description { font-size: 17px; color: #555; margin-top: -.5rem; }
pre, code { font-size: 13px; } pre { background: #f8f8f8; padding: .6rem; overflow-x: auto; border-radius: 4px; }
.jp-OutputArea-output pre { background: none; } img { max-width: 100%; }
.jp-InputPrompt, .jp-OutputPrompt, .prompt { display: none; }  /* nbconvert's classic template: `.prompt` */
a.anchor-link { visibility: hidden; text-decoration: none; color: #999; margin-left: .3em; }
h1:hover a.anchor-link, h2:hover a.anchor-link, h3:hover a.anchor-link, h4:hover a.anchor-link { visibility: visible; }  /* as nbdev sites: on hover */
table { border-collapse: collapse; font-size: 13px; } td, th { border: 1px solid #ddd; padding: 2px 6px; }
"""

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title} – {lib}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><link rel="stylesheet" href="site.css"></head>
<body><nav class="sidebar"><a href="index.html" class="brand">{lib}</a>{nav}</nav>
<main><h1>{title}</h1><p class="description">{description}</p>
{body}
</main></body></html>
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

def nav_html(entries, pages, current):
    "The sidebar: sections and page links, the current page marked"
    out, section = [], object()
    for sec,name in entries:
        if sec != section and sec: out.append(f'<div class="section">{html.escape(sec)}</div>')
        section = sec
        fn, title = pages[name]
        if fn == 'index.html': continue  # the brand link at the top is the home page
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
    for name,nb in nb_files.items():
        fn, title = pages[name]
        fm = frontmatter(nb)
        body, res = exporter.from_notebook_node(prepare(nb), resources={'output_files_dir': Path(fn).stem + '_files'})
        for f,data in res.get('outputs', {}).items():
            (out/f).parent.mkdir(parents=True, exist_ok=True)
            (out/f).write_bytes(data)
        body = body.replace(f'href="{site}', 'href="')  # nbdev links API names to the published site: keep them local
        body = re.sub(r'\{target="_blank"[^}]*\}', '', body)  # Quarto link attributes in show_doc's markdown
        body = re.sub(r'(id="|href="#)([^"]+)"', lambda m: m[1] + m[2].lower() + '"', body)  # lower-case anchors, as Quarto's
        for n,(f,_) in pages.items(): body = body.replace(f'href="{n}', f'href="{f}')
        (out/fn).write_text(PAGE.format(title=html.escape(title), lib=cfg.lib_name, description=re.sub(r'^<p>|</p>$', '', markdown2html(fm.get('description', '')).strip()),
                                        nav=nav_html(entries, pages, fn), body=body))
    print(f"{len(pages)} pages written to {out}")
    return out

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--out', default=str(get_config().config_path/'_docs'))
    build(Path(p.parse_args().out))
