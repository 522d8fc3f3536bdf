package io.p2pchat.rendezvous;

/** A registration the server refuses; {@code code} goes into the {@code error} reply. */
final class RegistryException extends Exception {

  final String code;

  RegistryException(String code, String message) {
    super(message, null, false, false);
    this.code = code;
  }
}
