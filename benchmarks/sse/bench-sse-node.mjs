// SPDX-License-Identifier: GPL-3.0-or-later
// Times eventsource-parser over a file fed in 16 KiB chunks; one JSON line per run.
//
// Usage: node bench-sse-node.mjs STREAM-FILE RUNS
// Run from the directory where `npm ci` installed eventsource-parser.
//
// Two figures per run: "bytes" decodes each chunk with a streaming
// TextDecoder and feeds the string (bytes in, events out, as our parser
// works and as EventSourceParserStream is used after TextDecoderStream);
// "strings" feeds chunks decoded beforehand, timing the parser alone.

import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { createParser } from 'eventsource-parser'

const CHUNK_BYTES = 16384
const [file, runsArg] = process.argv.slice(2)
const runs = Number.parseInt(runsArg ?? '5', 10)
const version = createRequire(import.meta.url)('eventsource-parser/package.json').version
const input = readFileSync(file)

const chunks = []
for (let at = 0; at < input.length; at += CHUNK_BYTES)
  chunks.push(input.subarray(at, Math.min(at + CHUNK_BYTES, input.length)))

function predecode () {
  const decoder = new TextDecoder('utf-8')
  return chunks.map((chunk) => decoder.decode(chunk, { stream: true }))
}

function once (mode, strings) {
  let events = 0
  let dataChars = 0
  const start = process.hrtime.bigint()
  const parser = createParser({
    onEvent (event) {
      events++
      dataChars += event.data.length
    }
  })
  if (mode === 'bytes') {
    const decoder = new TextDecoder('utf-8')
    for (const chunk of chunks)
      parser.feed(decoder.decode(chunk, { stream: true }))
    const rest = decoder.decode()
    if (rest !== '')
      parser.feed(rest)
  } else {
    for (const s of strings)
      parser.feed(s)
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9
  return { events, dataChars, seconds }
}

const strings = predecode()
// Run 0 of each mode lets the JIT warm up and is not reported.
for (const mode of ['bytes', 'strings']) {
  for (let run = 0; run <= runs; run++) {
    const { events, dataChars, seconds } = once(mode, strings)
    if (run > 0) {
      console.log(JSON.stringify({
        impl: `eventsource-parser@${version}`,
        mode,
        run,
        bytes: input.length,
        events,
        data_chars: dataChars,
        seconds
      }))
    }
  }
}
