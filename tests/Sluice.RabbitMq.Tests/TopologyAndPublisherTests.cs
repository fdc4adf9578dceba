using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using Sluice.RabbitMq.Tests.Support;

namespace Sluice.RabbitMq.Tests;

public class TopologyAndPublisherTests
{
    [SkippableFact]
    public async Task The_broker_has_the_consistent_hash_exchange_and_the_topology_declares_idempotently()
    {
        Broker.Require();
        var topology = Broker.NewTopology(3);
        try
        {
            await using var connection = await Broker.Factory().CreateConnectionAsync();
            await using var channel = await connection.CreateChannelAsync();
            await topology.DeclareAsync(channel);
            await topology.DeclareAsync(channel);

            // Passive declarations fail (closing the channel) when the entity does not exist.
            await channel.ExchangeDeclarePassiveAsync(topology.Exchange);
            await channel.ExchangeDeclarePassiveAsync(topology.DeadLetterExchange);
            await channel.QueueDeclarePassiveAsync(topology.DeadLetterQueue);
            for (var partition = 0; partition < 3; partition++)
            {
                var queue = await channel.QueueDeclarePassiveAsync(topology.Queue(partition));
                Assert.Equal(0u, queue.MessageCount);
            }
        }
        finally
        {
            await Broker.DeleteAsync(topology);
        }
    }

    [SkippableFact]
    public async Task Declaring_an_exchange_of_an_unknown_type_fails_so_the_plugin_check_above_means_something()
    {
        Broker.Require();
        await using var connection = await Broker.Factory().CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        await Assert.ThrowsAnyAsync<OperationInterruptedException>(
            () => channel.ExchangeDeclareAsync("sluice-test-" + Guid.NewGuid().ToString("N"), "x-no-such-exchange-type", durable: false, autoDelete: true));
    }

    [SkippableFact]
    public async Task Published_records_are_confirmed_persistent_and_each_key_stays_in_one_queue_in_order()
    {
        Broker.Require();
        var topology = Broker.NewTopology(4);
        try
        {
            var records = Keyed.Make(2000, keys: 150);
            await using (var publisher = new RabbitMqPublisher<Keyed>(Broker.Factory(), topology, Keyed.PublisherOptions(maxOutstanding: 64)))
            {
                Assert.Equal(2000, await publisher.PublishAllAsync(records));
                Assert.Equal(2000, publisher.Confirmed);
                Assert.InRange(publisher.PeakOutstanding, 2, 64);
            }

            var queueOfKey = new Dictionary<string, int>();
            var total = 0;
            var usedQueues = 0;
            for (var partition = 0; partition < topology.Partitions; partition++)
            {
                var messages = await Broker.DrainAsync(topology.Queue(partition));
                usedQueues += messages.Count > 0 ? 1 : 0;
                var lastSequence = new Dictionary<string, int>();
                foreach (var message in messages)
                {
                    Assert.Equal(DeliveryModes.Persistent, message.BasicProperties.DeliveryMode);
                    var (key, sequence, index) = Keyed.Parse(message.Body.Span);
                    Assert.Equal("m-" + index, message.BasicProperties.MessageId);
                    Assert.Equal(key, message.RoutingKey);
                    Assert.Equal(partition, queueOfKey.TryAdd(key, partition) ? partition : queueOfKey[key]);
                    Assert.True(!lastSequence.TryGetValue(key, out var last) || last < sequence, $"key {key}: {sequence} after {last}");
                    lastSequence[key] = sequence;
                    total++;
                }
            }

            Assert.Equal(2000, total);
            Assert.Equal(150, queueOfKey.Count);
            Assert.Equal(4, usedQueues);
        }
        finally
        {
            await Broker.DeleteAsync(topology);
        }
    }

    [SkippableFact]
    public async Task Outstanding_confirms_never_exceed_the_bound()
    {
        Broker.Require();
        var topology = Broker.NewTopology(2);
        try
        {
            await using var publisher = new RabbitMqPublisher<Keyed>(Broker.Factory(), topology, Keyed.PublisherOptions(maxOutstanding: 8));
            await publisher.PublishAllAsync(Keyed.Make(1000, keys: 10));
            Assert.Equal(1000, publisher.Confirmed);
            Assert.InRange(publisher.PeakOutstanding, 1, 8);
        }
        finally
        {
            await Broker.DeleteAsync(topology);
        }
    }

    [Fact]
    public void Arguments_are_validated()
    {
        Assert.Equal("name", Assert.Throws<ArgumentException>(() => new RabbitMqTopology("orders/eu")).ParamName);
        Assert.Equal("partitions", Assert.Throws<ArgumentOutOfRangeException>(() => new RabbitMqTopology("orders", 0)).ParamName);
        Assert.Equal("partition", Assert.Throws<ArgumentOutOfRangeException>(() => new RabbitMqTopology("orders", 2).Queue(2)).ParamName);
        Assert.Equal("orders.p1", new RabbitMqTopology("orders", 2).Queue(1));
        var topology = new RabbitMqTopology("orders", 2);
        Assert.Equal("options", Assert.Throws<ArgumentOutOfRangeException>(
            () => new RabbitMqPublisher<Keyed>(new ConnectionFactory(), topology, Keyed.PublisherOptions(maxOutstanding: 0))).ParamName);
        Assert.Equal("options", Assert.Throws<ArgumentOutOfRangeException>(
            () => new RabbitMqSource(new ConnectionFactory(), topology, new RabbitMqSourceOptions { PreferredPartitions = [2] })).ParamName);
        Assert.Equal("options", Assert.Throws<ArgumentOutOfRangeException>(
            () => new RabbitMqSource(new ConnectionFactory(), topology, new RabbitMqSourceOptions { Prefetch = 0 })).ParamName);
        Assert.Equal("source", Assert.Throws<ArgumentNullException>(() => SluiceRabbitMq.FromRabbitMq(null!)).ParamName);
    }
}
