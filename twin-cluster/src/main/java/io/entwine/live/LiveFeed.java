package io.entwine.live;

import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.pubsub.Topic;

/**
 * One cluster-wide topic per organization: a subscriber on any node receives what is published on
 * any node. Topics are created on first use on each node; an organization nobody watches costs one
 * idle actor per node.
 */
public final class LiveFeed implements Extension {
  private final ActorSystem<?> system;
  private final ConcurrentHashMap<String, ActorRef<Topic.Command<LiveMessage>>> topics =
      new ConcurrentHashMap<>();

  private LiveFeed(ActorSystem<?> system) {
    this.system = system;
  }

  public void publish(LiveMessage message) {
    topic(message.org()).tell(Topic.publish(message));
  }

  public void subscribe(String org, ActorRef<LiveMessage> subscriber) {
    topic(org).tell(Topic.subscribe(subscriber));
  }

  public void unsubscribe(String org, ActorRef<LiveMessage> subscriber) {
    topic(org).tell(Topic.unsubscribe(subscriber));
  }

  private ActorRef<Topic.Command<LiveMessage>> topic(String org) {
    return topics.computeIfAbsent(
        org,
        name ->
            system.systemActorOf(
                Topic.create(LiveMessage.class, "live-" + name), "live-" + name, Props.empty()));
  }

  public static LiveFeed get(ActorSystem<?> system) {
    return Id.INSTANCE.apply(system);
  }

  private static final class Id extends ExtensionId<LiveFeed> {
    static final Id INSTANCE = new Id();

    @Override
    public LiveFeed createExtension(ActorSystem<?> system) {
      return new LiveFeed(system);
    }
  }
}
