// Private IPFS networks for js-ipfs 0.66.1, which has no swarm.key support of its own (Kubo has). setup.sh copies
// this file next to node_modules/ipfs-core/src/components/libp2p.js and patches that to use it as libp2p's
// connectionProtector: with $IPFS_PATH/swarm.key, the node only talks to nodes holding the same key.
import fs from 'node:fs'
import path from 'node:path'
import { preSharedKey } from 'libp2p/pnet'

// Kubo's format, base16 encoding only: "/key/swarm/psk/1.0.0/", "/base16/", then 64 hex characters.
const swarmKeyFormat = /^\/key\/swarm\/psk\/1\.0\.0\/\r?\n\/base16\/\r?\n([0-9a-fA-F]{64})\s*$/

/**
 * libp2p's connectionProtector for the repo's swarm.key; undefined (the public network) without one, unless
 * LIBP2P_FORCE_PNET=1 demands a private network, as it does for Kubo. A malformed key stops the node.
 * @param {string} repoPath
 */
export function swarmKeyProtector (repoPath) {
  const file = path.join(repoPath, 'swarm.key')
  let text
  try {
    text = fs.readFileSync(file, 'utf8')
  } catch (err) {
    if (err.code !== 'ENOENT') throw err
    if (process.env.LIBP2P_FORCE_PNET === '1') {
      throw new Error(`LIBP2P_FORCE_PNET=1 but ${file} does not exist: refusing to start on the public network`)
    }
    return undefined
  }
  const key = swarmKeyFormat.exec(text)
  if (key == null) {
    throw new Error(`${file} is not a swarm key: expected the lines /key/swarm/psk/1.0.0/, /base16/ and 64 hex characters`)
  }
  // libp2p's own parser is lenient (any first two lines); hand it the normalised key.
  const psk = new TextEncoder().encode(`/key/swarm/psk/1.0.0/\n/base16/\n${key[1].toLowerCase()}`)
  return preSharedKey({ psk })
}
