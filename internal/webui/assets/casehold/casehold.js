// casehold's one script: it only enhances pages that work without it. It starts GOV.UK
// Frontend's components and turns the upload form into one request a file, each with its
// own progress bar, and a drop zone. Loaded as a module from this origin (the CSP allows
// nothing inline).
import { initAll } from '/assets/govuk/govuk-frontend.min.js'

document.body.classList.add('js-enabled', 'govuk-frontend-supported')
initAll()

for (const form of document.querySelectorAll('form[data-upload]')) {
  enhanceUpload(form)
}

for (const el of document.querySelectorAll('[data-poll]')) {
  poll(el)
}

// poll keeps a part of the page current (an evidence pack's progress): it fetches the page
// again every few seconds and swaps in the new part, until the part no longer asks to be
// polled (the pack is ready or failed). Without the script the page has a "Check again"
// link; no <meta refresh>, which reloads the page under a screen reader's feet.
function poll (el) {
  const every = Number(el.dataset.poll) || 3000
  const tick = async () => {
    let next
    try {
      const res = await fetch(window.location.href, { headers: { Accept: 'text/html' }, credentials: 'same-origin' })
      if (!res.ok) throw new Error(String(res.status))
      next = new DOMParser().parseFromString(await res.text(), 'text/html').getElementById(el.id)
    } catch (e) {
      setTimeout(tick, every * 2)
      return
    }
    if (!next) return
    el.replaceWith(next)
    el = next
    if (el.dataset.poll) setTimeout(tick, every)
  }
  setTimeout(tick, every)
}

function enhanceUpload (form) {
  const input = form.querySelector('input[type=file]')
  const list = form.querySelector('[data-progress]')
  const drop = form.querySelector('[data-drop]')
  const token = new URL(form.action).searchParams.get('csrf')
  const directMax = Number(form.dataset.directMax || Infinity)
  if (!input || !list || !window.FormData || !window.XMLHttpRequest) return

  if (drop) {
    drop.addEventListener('dragover', (e) => { e.preventDefault(); drop.classList.add('casehold-drop--over') })
    drop.addEventListener('dragleave', () => drop.classList.remove('casehold-drop--over'))
    drop.addEventListener('drop', (e) => {
      e.preventDefault()
      drop.classList.remove('casehold-drop--over')
      if (e.dataTransfer && e.dataTransfer.files.length) input.files = e.dataTransfer.files
    })
  }

  let fields = null

  // Small files: one multipart POST each to casehold, which streams it into the evidence
  // store and answers with the hash.
  function sendDirect (file, bar, status, secured, fail) {
    const body = new FormData()
    for (const [k, v] of fields) body.append(k, v)
    body.append('file', file, file.name)
    const xhr = request('POST', form.action, bar, status)
    xhr.setRequestHeader('Accept', 'application/json')
    xhr.setRequestHeader('X-CSRF-Token', token)
    xhr.addEventListener('load', () => {
      const answer = json(xhr)
      if (xhr.status === 201) secured(answer)
      else fail(answer.error || 'error ' + xhr.status)
    })
    xhr.addEventListener('error', () => fail('the connection failed'))
    xhr.send(body)
  }

  // Large files: casehold checks the details and gives a presigned PUT; the file goes
  // straight to the staging store and the ingest handler secures it.
  function sendPresigned (file, bar, status, secured, fail) {
    const params = new URLSearchParams()
    for (const [k, v] of fields) if (typeof v === 'string') params.append(k, v)
    params.append('filename', file.name)
    const ask = new XMLHttpRequest()
    ask.open('POST', form.dataset.slot)
    ask.setRequestHeader('Content-Type', 'application/x-www-form-urlencoded')
    ask.setRequestHeader('Accept', 'application/json')
    ask.setRequestHeader('X-CSRF-Token', token)
    ask.addEventListener('load', () => {
      const slot = json(ask)
      if (ask.status !== 201) return fail(slot.error || 'error ' + ask.status)
      const put = request(slot.method || 'PUT', slot.url, bar, status)
      for (const [name, values] of Object.entries(slot.headers || {})) {
        if (name.toLowerCase() !== 'host' && name.toLowerCase() !== 'content-length') put.setRequestHeader(name, values.join(', '))
      }
      put.addEventListener('load', () => {
        if (put.status >= 200 && put.status < 300) secured(json(put))
        else fail('the store answered ' + put.status)
      })
      put.addEventListener('error', () => fail('the connection failed'))
      put.send(file)
    })
    ask.addEventListener('error', () => fail('the connection failed'))
    ask.send(params)
  }

  function request (method, url, bar, status) {
    const xhr = new XMLHttpRequest()
    xhr.open(method, url)
    xhr.upload.addEventListener('progress', (ev) => {
      if (ev.lengthComputable) {
        bar.value = Math.round(ev.loaded * 100 / ev.total)
        status.textContent = bar.value + '% sent'
      }
    })
    return xhr
  }

  function json (xhr) {
    try { return JSON.parse(xhr.responseText) || {} } catch (err) { return {} }
  }

  form.addEventListener('submit', (e) => {
    if (!input.files.length) return // the server answers with the error summary
    e.preventDefault()
    list.innerHTML = ''
    fields = new FormData(form)
    fields.delete('file')
    const files = Array.from(input.files)
    let pending = files.length
    let securedCount = 0
    files.forEach((file, i) => {
      const item = document.createElement('li')
      item.className = 'casehold-progress__item'
      const label = document.createElement('label')
      label.htmlFor = 'upload-progress-' + i
      label.textContent = file.name
      const bar = document.createElement('progress')
      bar.id = 'upload-progress-' + i
      bar.max = 100
      bar.value = 0
      const status = document.createElement('span')
      status.className = 'casehold-progress__status'
      status.textContent = 'Waiting'
      item.append(label, ' ', bar, ' ', status)
      list.append(item)

      const fail = (why) => {
        status.textContent = 'Not secured: ' + why
        item.classList.add('casehold-progress__item--error')
        done()
      }
      const secured = (answer) => {
        bar.value = 100
        securedCount++
        status.textContent = answer && answer.sha256
          ? 'Secured. SHA-256 ' + answer.sha256 + '. Legal hold: ' + (answer.held ? 'on' : 'off') + '.'
          : 'Uploaded. It is secured within a minute: see the documents list for its SHA-256.'
        item.classList.add('casehold-progress__item--done')
        done()
      }
      status.textContent = 'Sending'
      if (file.size > directMax) {
        sendPresigned(file, bar, status, secured, fail)
      } else {
        sendDirect(file, bar, status, secured, fail)
      }
    })
    function done () {
      if (--pending > 0) return
      const more = document.createElement('li')
      const link = document.createElement('a')
      link.className = 'govuk-link'
      link.href = window.location.pathname
      link.textContent = securedCount + ' of ' + files.length + ' file(s) secured: show the updated matter'
      more.append(link)
      list.append(more)
      input.value = ''
    }
  })
}
