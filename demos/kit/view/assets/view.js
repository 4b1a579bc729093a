// The page side of the view: a Run button streams its step's events into the panel; Run all
// streams the whole demo. Diagrams are drawn by Mermaid from the figures' sources. The note itself
// needs none of this: without JavaScript it reads as plain HTML.
(() => {
  const dark = window.matchMedia('(prefers-color-scheme: dark)').matches;
  const mermaid = window.mermaid;
  if (mermaid) mermaid.initialize({ startOnLoad: false, theme: dark ? 'dark' : 'default' });

  const draw = async (root) => {
    if (!mermaid) return;
    const nodes = [...root.querySelectorAll('pre.mermaid:not([data-processed])')];
    if (nodes.length) await mermaid.run({ nodes });
  };

  const panelOf = (id) => document.querySelector(`.panel[data-step="${CSS.escape(id)}"]`);

  const append = (panel, html) => {
    const out = panel.querySelector('.out');
    out.insertAdjacentHTML('beforeend', html);
    return draw(out);
  };

  const run = (query, buttons, firstPanel, path = 'run') => {
    const topic = document.querySelector('main').dataset.topic;
    for (const b of buttons) b.disabled = true;
    const source = new EventSource(`/${topic}/${path}?${query}`);
    let last = firstPanel;
    source.onmessage = (message) => {
      const m = JSON.parse(message.data);
      if (m.type === 'start') {
        last = panelOf(m.step);
        last.querySelector('.out').textContent = '';
        last.dataset.state = 'running';
      } else if (m.type === 'event') {
        append(panelOf(m.step), m.html);
      } else if (m.type === 'end') {
        const p = panelOf(m.step);
        append(p, m.html);
        p.dataset.state = m.status;
      } else if (m.type === 'problem') {
        if (last) append(last, m.html);
        else document.querySelector('nav.top').insertAdjacentHTML('afterend', m.html);
      } else if (m.type === 'done') {
        source.close();
        for (const b of buttons) b.disabled = false;
      }
    };
    source.onerror = () => {
      source.close();
      for (const b of buttons) b.disabled = false;
    };
  };

  document.addEventListener('click', (event) => {
    const button = event.target.closest('button');
    if (!button || document.body.dataset.live !== 'true') return;
    if (button.dataset.run) {
      const panel = button.closest('.panel');
      run(`step=${encodeURIComponent(button.dataset.run)}`, [button], panel);
    } else if (button.dataset.lab) {
      const panel = button.closest('.panel');
      run(`lab=${encodeURIComponent(button.dataset.lab)}`, [button], panel, 'lab-check');
    } else if (button.dataset.runAll) {
      run('all=1', [...document.querySelectorAll('button.run, button.run-all')], undefined);
    }
  });

  draw(document);
})();
