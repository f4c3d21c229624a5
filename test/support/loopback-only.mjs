// Preloaded (node --import) into servers that bind every interface with no setting to change it
// (fauxqs's startFauxqs() listens on 0.0.0.0): their listen() gets host 127.0.0.1 instead, so a
// test server is never reachable from the network.
import net from 'node:net';

const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  if (typeof args[0] === 'object' && args[0] !== null && !Array.isArray(args[0]) && 'port' in args[0]) args[0] = { ...args[0], host: '127.0.0.1' };
  else if (typeof args[0] === 'number' || typeof args[0] === 'string') args.splice(1, typeof args[1] === 'string' ? 1 : 0, '127.0.0.1');
  return listen.apply(this, args);
};
