"""Write README.md from nbs/index.ipynb without Quarto (which `nbdev_readme` needs): the notebook's markdown cells,
and its code cells with their text outputs, as GitHub markdown."""
from pathlib import Path
import nbformat

def nb_markdown(nb)->str:
    "Markdown of notebook `nb`: markdown cells as they are, code cells fenced, hidden cells left out"
    parts = []
    for c in nb.cells:
        if c.cell_type == 'markdown': parts.append(c.source)
        elif c.cell_type == 'code' and not c.source.lstrip().startswith('#| hide'):
            parts.append(f"```python\n{c.source}\n```")
            parts += [f"```\n{o.text}```" for o in c.get('outputs', []) if o.get('output_type') == 'stream']
    return '\n\n'.join(parts) + '\n'

if __name__ == '__main__':
    root = Path(__file__).resolve().parent.parent
    md = nb_markdown(nbformat.read(root/'nbs'/'index.ipynb', as_version=4))
    (root/'README.md').write_text(md.replace('# galaxy_fastai\n\n> ', '# galaxy_fastai\n\n', 1))
