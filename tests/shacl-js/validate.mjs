// Validate an N-Triples data file against a Turtle shapes file with rdf-validate-shacl and
// print its report's top-level results as JSON: node validate.mjs SHAPES.ttl DATA.nt
import { readFileSync } from 'node:fs'
import N3 from 'n3'
import SHACLValidator from 'rdf-validate-shacl'

const parse = path => new N3.Parser().parse(readFileSync(path, 'utf8'))
const term = t => (t ? (t.termType === 'BlankNode' ? '_:' : '') + t.value : '')

const [shapesPath, dataPath] = process.argv.slice(2)
const validator = new SHACLValidator(parse(shapesPath))
const report = await validator.validate(new N3.Store(parse(dataPath)))
console.log(JSON.stringify({
  conforms: report.conforms,
  results: report.results.map(r => ({
    focus: term(r.focusNode),
    path: term(r.path),
    messages: r.message.map(m => m.value),
    details: (r.detail || []).length
  }))
}))
