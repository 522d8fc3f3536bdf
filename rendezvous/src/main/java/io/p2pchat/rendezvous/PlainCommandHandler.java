package io.p2pchat.rendezvous;

import io.p2pchat.wire.DropReason;
import io.p2pchat.wire.PlainCommand;
import io.p2pchat.wire.WireException;
import io.vertx.core.buffer.Buffer;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The original design's plain-text commands ({@code punch}, {@code list [page]}, {@code peer N}),
 * for anyone with netcat. They show only the public default room (never a private room's members)
 * and, like every answer to an unvalidated source, fit within 3 times the request: a user pads the
 * request with spaces to earn a longer page.
 */
final class PlainCommandHandler implements DatagramHandler {

  private final boolean enabled;
  private final Registry registry;
  private final Limits limits;
  private final Outbox outbox;

  PlainCommandHandler(boolean enabled, Registry registry, Limits limits, Outbox outbox) {
    this.enabled = enabled;
    this.registry = registry;
    this.limits = limits;
    this.outbox = outbox;
  }

  @Override
  public void handle(Exchange ex, Buffer data) throws WireException {
    PlainCommand command = PlainCommand.parse(data);
    if (!enabled) {
      throw new WireException(DropReason.UNKNOWN_KIND, "plain-text commands are off");
    }
    List<Registration> room = registry.room(RendezvousOptions.DEFAULT_ROOM);
    String answer;
    switch (command.verb()) {
      case PUNCH:
        answer = "punched";
        break;
      case LIST:
        int budget = limits.answerBytes(ex);
        String page = room.isEmpty() ? (command.argument() == 1 ? "(empty)\n" : PlainListing.NO_SUCH_PAGE)
          : PlainListing.page(room.stream().map(r -> r.nick).toList(), command.argument(), budget);
        if (page == PlainListing.NOTHING_FITS) {
          throw new WireException(DropReason.AMPLIFICATION, "no nick fits " + budget + " bytes; pad the request");
        }
        answer = page.isEmpty() ? "error: no page " + command.argument() + "\n" : page;
        break;
      default:
        answer = command.argument() <= room.size()
          ? room.get(command.argument() - 1).nick + " " + room.get(command.argument() - 1).address + "\n"
          : "error: no peer " + command.argument() + "\n";
    }
    outbox.answer(ex, Buffer.buffer(answer.getBytes(StandardCharsets.UTF_8)), "plain " + command.verb().name().toLowerCase());
  }
}
