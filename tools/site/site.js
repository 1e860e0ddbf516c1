// The offline site's behaviour (tools/docs.py): full-text search without a server (the index is a script,
// `search-index.js`, since a JSON file cannot be fetched from a `file://` page), the menu button of narrow screens,
// a copy button on code, and math typeset by KaTeX (copied into the site from a package, see docs.py).
(() => {
  const box = document.getElementById('search'), out = box.nextElementSibling;
  const esc = s => s.replace(/[&<>"]/g, c => ({'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;'}[c]));
  // Words match without punctuation or case: `gradcam` finds Grad-CAM, `branchlearner` finds branch_learner
  const norm = s => s.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '');
  for (const d of SEARCH_INDEX) { d.ns = norm(d.s); d.nt = norm(d.t); d.nx = norm(d.x); }
  function score(doc, terms) {
    let s = 0;
    for (const t of terms) {
      if (doc.ns === t) s += 50; else if (doc.ns.includes(t)) s += 10; else if (doc.nx.includes(t)) s += 1; else return 0;
      if (doc.nt.includes(t)) s += 2;
    }
    return s;
  }
  // The first match of a term in the text as shown, allowing punctuation and spaces between its letters
  const pattern = t => new RegExp([...t].map(c => c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('[^\\p{L}\\p{N}]*'), 'iu');
  function snippet(doc, terms) {
    const m = terms.map(t => pattern(t).exec(doc.x)).find(Boolean);
    if (!m) return esc(doc.x.slice(0, 120));
    const a = Math.max(0, m.index - 40), b = m.index + m[0].length;
    return (a ? '…' : '') + esc(doc.x.slice(a, m.index)) + '<mark>' + esc(m[0]) + '</mark>' + esc(doc.x.slice(b, b + 80)) + '…';
  }
  let selected = 0;
  function select(i) {
    const hits = out.querySelectorAll('a');
    if (!hits.length) return;
    selected = (i + hits.length) % hits.length;
    hits.forEach((a, j) => a.classList.toggle('selected', j === selected));
    hits[selected].scrollIntoView({block: 'nearest'});
  }
  function search() {
    const terms = box.value.split(/\s+/).map(norm).filter(Boolean);
    if (!terms.length) { out.classList.remove('open'); return; }
    const hits = SEARCH_INDEX.map(d => [score(d, terms), d]).filter(h => h[0] > 0).sort((a, b) => b[0] - a[0]).slice(0, 12);
    out.innerHTML = hits.length ? hits.map(([, d]) => `<a href="${d.u}"><span class="where">${esc(d.t)}${d.s !== d.t ? ' › ' + esc(d.s) : ''}</span>`
      + `<div class="snippet">${snippet(d, terms)}</div></a>`).join('') : '<div class="none">No results</div>';
    out.classList.add('open');
    select(0);
  }
  box.addEventListener('input', search);
  box.addEventListener('keydown', e => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') { e.preventDefault(); select(selected + (e.key === 'ArrowDown' ? 1 : -1)); }
    if (e.key === 'Enter') { const a = out.querySelectorAll('a')[selected]; if (a) location.href = a.href; }
    if (e.key === 'Escape') { box.value = ''; out.classList.remove('open'); }
  });
  document.addEventListener('click', e => { if (!e.target.closest('.search')) out.classList.remove('open'); });

  const menu = document.querySelector('button.menu'), sidebar = document.querySelector('nav.sidebar');
  menu.addEventListener('click', () => menu.setAttribute('aria-expanded', sidebar.classList.toggle('open')));

  for (const pre of document.querySelectorAll('.input_area pre')) {
    const b = document.createElement('button');
    b.className = 'copy'; b.type = 'button'; b.textContent = 'Copy'; b.title = 'Copy the code';
    b.addEventListener('click', () => navigator.clipboard.writeText(pre.innerText).then(() => { b.textContent = 'Copied'; setTimeout(() => b.textContent = 'Copy', 1500); }));
    pre.parentElement.appendChild(b);
  }

  if (window.renderMathInElement) renderMathInElement(document.querySelector('main'), {
    delimiters: [{left: '$$', right: '$$', display: true}, {left: '\\[', right: '\\]', display: true},
                 {left: '$', right: '$', display: false}, {left: '\\(', right: '\\)', display: false}],
    throwOnError: false});
})();
