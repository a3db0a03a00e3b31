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

function enhanceUpload (form) {
  const input = form.querySelector('input[type=file]')
  const list = form.querySelector('[data-progress]')
  const drop = form.querySelector('[data-drop]')
  const token = new URL(form.action).searchParams.get('csrf')
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

  form.addEventListener('submit', (e) => {
    if (!input.files.length) return // the server answers with the error summary
    e.preventDefault()
    list.innerHTML = ''
    const fields = new FormData(form)
    fields.delete('file')
    const files = Array.from(input.files)
    let pending = files.length
    let secured = 0
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

      const body = new FormData()
      for (const [k, v] of fields) body.append(k, v)
      body.append('file', file, file.name)
      const xhr = new XMLHttpRequest()
      xhr.open('POST', form.action)
      xhr.setRequestHeader('Accept', 'application/json')
      xhr.setRequestHeader('X-CSRF-Token', token)
      xhr.upload.addEventListener('progress', (ev) => {
        if (ev.lengthComputable) {
          bar.value = Math.round(ev.loaded * 100 / ev.total)
          status.textContent = bar.value + '% sent'
        }
      })
      xhr.addEventListener('load', () => {
        let answer = {}
        try { answer = JSON.parse(xhr.responseText) } catch (err) { answer = { error: 'The server did not answer as expected' } }
        if (xhr.status === 201) {
          bar.value = 100
          secured++
          status.textContent = 'Secured. SHA-256 ' + answer.sha256 + '. Legal hold: ' + (answer.held ? 'on' : 'off') + '.'
          item.classList.add('casehold-progress__item--done')
        } else {
          status.textContent = 'Not secured: ' + (answer.error || 'error ' + xhr.status)
          item.classList.add('casehold-progress__item--error')
        }
        done()
      })
      xhr.addEventListener('error', () => { status.textContent = 'Not secured: the connection failed'; done() })
      status.textContent = 'Sending'
      xhr.send(body)
    })
    function done () {
      if (--pending > 0) return
      const more = document.createElement('li')
      const link = document.createElement('a')
      link.className = 'govuk-link'
      link.href = window.location.pathname
      link.textContent = secured + ' of ' + files.length + ' file(s) secured: show the updated matter'
      more.append(link)
      list.append(more)
      input.value = ''
    }
  })
}
