// Read a GraphML or GEXF file with graphology's own parsers (what Gephi Lite and sigma.js
// apps open files with) and print what they read as JSON: node and edge counts, and the
// attributes of the node and edge whose ids are given.
// node read.mjs FILE.graphml|FILE.gexf [NODE_ID] [EDGE_ID]
import { readFileSync } from 'node:fs'
import graphology from 'graphology'
import gexf from 'graphology-gexf'
import graphml from 'graphology-graphml'

const [path, nodeId, edgeId] = process.argv.slice(2)
const parser = path.endsWith('.gexf') ? gexf : graphml
const graph = parser.parse(graphology.MultiDirectedGraph, readFileSync(path, 'utf8'))
console.log(JSON.stringify({
  nodes: graph.order,
  edges: graph.size,
  node: nodeId && graph.hasNode(nodeId) ? graph.getNodeAttributes(nodeId) : null,
  edge: edgeId && graph.hasEdge(edgeId) ? { ...graph.getEdgeAttributes(edgeId), source: graph.source(edgeId), target: graph.target(edgeId) } : null
}))
