/**
 * The authenticated, encrypted control channel between a client node and the rendezvous (issue 15),
 * as a pure library: {@link io.p2pchat.control.ControlClient} and {@link io.p2pchat.control.ControlServer}
 * run a cookie round and a Noise IK handshake, {@link io.p2pchat.control.ControlSession} seals and opens
 * control messages, {@link io.p2pchat.control.KnownServers} pins server keys, and
 * {@link io.p2pchat.control.ControlCodec} draws the wire layout. No sockets, timers or Vert.x context:
 * the socket owners pass datagrams and time in. In use since protocol version 2: the node's
 * {@code io.p2pchat.punch.RendezvousChannel} and the rendezvous's {@code SealedControlChannel} carry every
 * control message in it.
 * See docs/PROTOCOL.md ("Sealed control") and docs/SECURITY.md ("The control channel").
 */
package io.p2pchat.control;
