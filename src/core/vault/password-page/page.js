// Epistle's decryptor: opens the payload in #epistle-payload with the
// password typed, using only the browser's WebCrypto. Format (JSON):
//   { "v": 1, "kdf": "PBKDF2-HMAC-SHA256", "iterations": N,
//     "salt": base64 (16 bytes), "cipher": "AES-256-GCM",
//     "iv": base64 (12 bytes), "data": base64 (ciphertext, then the 16-byte tag) }
// The key is PBKDF2-HMAC-SHA256 (password as UTF-8, salt, N) → 32 bytes.
// The plaintext is UTF-8 JSON: { "from", "to", "subject", "date", "body",
//   "attachments": [ { "name", "type", "data": base64 } ] }.
// The body is shown as text (textContent), never as HTML; attachments are
// offered as downloads. Nothing is sent anywhere: the page's
// Content-Security-Policy forbids every request.
'use strict';
(function () {
  const $ = (id) => document.getElementById(id);
  const strings = JSON.parse($('epistle-strings').textContent);
  const payload = JSON.parse($('epistle-payload').textContent);

  function bytes(base64) {
    const raw = atob(base64);
    const out = new Uint8Array(raw.length);
    for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
    return out;
  }

  function fail(text) {
    $('working').hidden = true;
    $('open').disabled = false;
    $('error').textContent = text;
    $('error').hidden = false;
    $('password').focus();
  }

  function show(message) {
    $('from').textContent = message.from || '';
    $('subject').textContent = message.subject || '';
    $('date').textContent = message.date || '';
    $('body').textContent = message.body || '';
    const list = $('attachments');
    for (const a of message.attachments || []) {
      // application/octet-stream: saved, never opened inside this page.
      const blob = new Blob([bytes(a.data)], { type: 'application/octet-stream' });
      const link = document.createElement('a');
      link.href = URL.createObjectURL(blob);
      link.download = a.name;
      link.textContent = a.name + ' (' + blob.size.toLocaleString() + ' B)';
      const item = document.createElement('li');
      item.appendChild(link);
      list.appendChild(item);
    }
    $('attachments-section').hidden = list.children.length === 0;
    $('unlock').hidden = true;
    $('intro').hidden = true;
    $('message').hidden = false;
  }

  async function open(password) {
    const subtle = window.crypto && window.crypto.subtle;
    if (!subtle || payload.v !== 1) {
      fail(strings.unsupported);
      return;
    }
    const material = await subtle.importKey('raw', new TextEncoder().encode(password.normalize('NFC')),
                                            'PBKDF2', false, ['deriveKey']);
    const key = await subtle.deriveKey(
      { name: 'PBKDF2', hash: 'SHA-256', salt: bytes(payload.salt), iterations: payload.iterations },
      material, { name: 'AES-GCM', length: 256 }, false, ['decrypt']);
    let plain;
    try {
      plain = await subtle.decrypt({ name: 'AES-GCM', iv: bytes(payload.iv), tagLength: 128 },
                                   key, bytes(payload.data));
    } catch (e) {
      // The tag check failed: a wrong password (or an altered file).
      fail(strings.wrong);
      return;
    }
    show(JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(plain)));
  }

  $('unlock').addEventListener('submit', (event) => {
    event.preventDefault();
    const password = $('password').value;
    if (password === '') return;
    $('error').hidden = true;
    $('open').disabled = true;
    $('working').hidden = false;
    open(password).catch(() => fail(strings.unsupported));
  });
})();
