using System.Globalization;
using System.Text.Json;
using Sluice.RabbitMq.Tests.Support;
using Sluice.RabbitMq.Tests.Workers;

namespace Sluice.RabbitMq.Tests;

/// <summary>
/// <c>sluice rabbitmq dead-letters ...</c>, the built command run as a process against the real broker, on dead letters a
/// real worker pipeline put in the dead-letter queue. They live in this assembly, not in Sluice.Cli.Tests, so that they
/// never run while another test stops and starts the broker (this assembly's tests run one at a time).
/// </summary>
public sealed class DeadLetterCommandTests
{
    private const string Marker = "p4ss-w0rd-marker";

    [SkippableFact]
    public async Task List_and_show_print_the_error_headers_and_leave_every_message_in_its_place()
    {
        await using var test = TestTopology.Create(4);
        var (records, poison) = await DeadLetterAsync(test, Keyed.Make(600, keys: 100), new Faults(0) { PoisonEnabled = true });
        var name = test.Topology.Name;

        var table = await SluiceCli.DeadLettersAsync("list", "--topology", name);
        Assert.True(table.ExitCode == 0, table.ToString());
        foreach (var poisoned in poison)
        {
            Assert.Contains(poisoned, table.Output, StringComparison.Ordinal);
        }

        Assert.Contains("InvalidDataException", table.Output, StringComparison.Ordinal);
        Assert.Contains($"{poison.Count} of {poison.Count} dead letter(s) in {test.Topology.DeadLetterQueue}; none was removed", table.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(":" + Broker.Uri.UserInfo.Split(':')[^1] + "@", table.Output + table.Error, StringComparison.Ordinal);

        var json = await SluiceCli.DeadLettersAsync("list", "--topology", name, "--json");
        Assert.True(json.ExitCode == 0, json.ToString());
        var listed = Lines(json.Output);
        Assert.Equal(poison.Order(), listed.Select(l => l.GetProperty("messageId").GetString()!).Order());
        foreach (var letter in listed)
        {
            var (key, _, index) = Keyed.Parse(System.Text.Encoding.UTF8.GetBytes(letter.GetProperty("body").GetString()!));
            Assert.Equal(records[index].MessageId, letter.GetProperty("messageId").GetString());
            Assert.Equal(typeof(InvalidDataException).FullName, letter.GetProperty("exceptionType").GetString());
            Assert.Equal($"record {index} is malformed", letter.GetProperty("exceptionMessage").GetString());
            Assert.Equal(1, letter.GetProperty("attempts").GetInt64());
            Assert.Equal(name, letter.GetProperty("pipeline").GetString());
            Assert.Equal(test.Topology.Exchange, letter.GetProperty("originalExchange").GetString());
            Assert.Equal(key, letter.GetProperty("originalRoutingKey").GetString());
            Assert.StartsWith(name + ".p", letter.GetProperty("originalQueue").GetString(), StringComparison.Ordinal);
            Assert.Equal("utf-8", letter.GetProperty("bodyEncoding").GetString());
        }

        // Filters: the oldest two; another pipeline's; another error type.
        var two = await SluiceCli.DeadLettersAsync("list", "--topology", name, "--json", "--count", "2");
        Assert.Equal(listed.Take(2).Select(Id), Lines(two.Output).Select(Id));
        var otherPipeline = await SluiceCli.DeadLettersAsync("list", "--topology", name, "--pipeline", "another-pipeline");
        Assert.Contains("No dead letters match", otherPipeline.Output, StringComparison.Ordinal);
        var byType = await SluiceCli.DeadLettersAsync("list", "--topology", name, "--json", "--error-type", "InvalidDataException", "--pipeline", name);
        Assert.Equal(poison.Count, Lines(byType.Output).Count);
        Assert.Empty(Lines((await SluiceCli.DeadLettersAsync("list", "--topology", name, "--json", "--error-type", "TimeoutException")).Output));

        var id = Id(listed[1]);
        var show = await SluiceCli.DeadLettersAsync("show", id, "--topology", name);
        Assert.True(show.ExitCode == 0, show.ToString());
        Assert.Contains(id, show.Output, StringComparison.Ordinal);
        Assert.Contains(listed[1].GetProperty("exceptionMessage").GetString()!, show.Output, StringComparison.Ordinal);
        Assert.Contains(listed[1].GetProperty("body").GetString()!, show.Output, StringComparison.Ordinal);
        Assert.Contains("Stack trace", show.Output, StringComparison.Ordinal);
        Assert.Contains(nameof(Faults.Inject), show.Output, StringComparison.Ordinal);
        Assert.Contains(DeadLetterHeaders.OriginalQueue + " = " + listed[1].GetProperty("originalQueue").GetString(), show.Output, StringComparison.Ordinal);

        var showJson = Lines((await SluiceCli.DeadLettersAsync("show", id, "--topology", name, "--json")).Output);
        var shown = Assert.Single(showJson);
        Assert.Equal(id, Id(shown));
        Assert.Contains(nameof(Faults.Inject), shown.GetProperty("stackTrace").GetString(), StringComparison.Ordinal);
        Assert.Equal(name, shown.GetProperty("headers").GetProperty(DeadLetterHeaders.Pipeline).GetString());

        var ambiguous = await SluiceCli.DeadLettersAsync("show", "m-", "--topology", name);
        Assert.Equal(1, ambiguous.ExitCode);
        Assert.Contains($"error: {poison.Count} dead letters have message ids starting with 'm-'.", ambiguous.Error, StringComparison.Ordinal);

        var missing = await SluiceCli.DeadLettersAsync("show", "no-such-id", "--topology", name);
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("error: no dead letter with message id 'no-such-id'", missing.Error, StringComparison.Ordinal);
        Assert.Contains("next: List them with: sluice rabbitmq dead-letters list", missing.Error, StringComparison.Ordinal);

        // Nothing was consumed, and the queue's order is what `list` showed.
        var left = await Broker.DrainAsync(test.Topology.DeadLetterQueue);
        Assert.Equal(listed.Select(Id), left.Select(m => m.BasicProperties.MessageId!));
    }

    [SkippableFact]
    public async Task Replay_is_a_dry_run_without_yes_then_republishes_to_the_original_queue_and_removes_only_what_it_replayed()
    {
        await using var test = TestTopology.Create(3);
        var (records, poison) = await DeadLetterAsync(test, Keyed.Make(500, keys: 50), new Faults(0) { PoisonEnabled = true });
        var name = test.Topology.Name;
        var listed = Lines((await SluiceCli.DeadLettersAsync("list", "--topology", name, "--json")).Output);

        var dry = await SluiceCli.DeadLettersAsync("replay", "--topology", name);
        Assert.True(dry.ExitCode == 0, dry.ToString());
        Assert.Contains($"Dry run: would replay {poison.Count} dead letter(s)", dry.Output, StringComparison.Ordinal);
        Assert.Contains($"to exchange '{test.Topology.Exchange}'", dry.Output, StringComparison.Ordinal);
        Assert.Equal((uint)poison.Count, await Broker.ReadyAsync(test.Topology.DeadLetterQueue));
        Assert.Equal(0u, await ReadyInPartitionsAsync(test.Topology));

        // The oldest two, with --count: each lands on the queue it came from, without the error headers.
        var some = await SluiceCli.DeadLettersAsync("replay", "--topology", name, "--count", "2", "--yes");
        Assert.True(some.ExitCode == 0, some.ToString());
        Assert.Contains("Replayed 2 dead letter(s)", some.Output, StringComparison.Ordinal);
        Assert.Equal((uint)poison.Count - 2, await Broker.ReadyAsync(test.Topology.DeadLetterQueue));
        var landed = new List<(string Queue, RabbitMQ.Client.BasicGetResult Message)>();
        for (var partition = 0; partition < test.Topology.Partitions; partition++)
        {
            landed.AddRange((await Broker.DrainAsync(test.Topology.Queue(partition))).Select(m => (test.Topology.Queue(partition), m)));
        }

        Assert.Equal(listed.Take(2).Select(Id).Order(), landed.Select(l => l.Message.BasicProperties.MessageId!).Order());
        foreach (var letter in listed.Take(2))
        {
            var (queue, message) = landed.Single(l => l.Message.BasicProperties.MessageId == Id(letter));
            Assert.Equal(letter.GetProperty("originalQueue").GetString(), queue);
            Assert.Equal(letter.GetProperty("originalRoutingKey").GetString(), message.RoutingKey);
            Assert.Equal(test.Topology.Exchange, message.Exchange);
            Assert.Equal(letter.GetProperty("body").GetString(), System.Text.Encoding.UTF8.GetString(message.Body.Span));
            Assert.Equal("text/plain", message.BasicProperties.ContentType);
            Assert.Equal(RabbitMQ.Client.DeliveryModes.Persistent, message.BasicProperties.DeliveryMode);
            Assert.DoesNotContain(message.BasicProperties.Headers?.Keys ?? [], k => k.StartsWith("x-sluice-", StringComparison.Ordinal));
        }

        // One by id, then the rest; a fixed worker then stores every record.
        var third = Id(listed[2]);
        var byId = await SluiceCli.DeadLettersAsync("replay", "--topology", name, "--id", third, "--yes");
        Assert.Contains("Replayed 1 dead letter(s)", byId.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(third, Lines((await SluiceCli.DeadLettersAsync("list", "--topology", name, "--json")).Output).Select(Id));
        var rest = await SluiceCli.DeadLettersAsync("replay", "--topology", name, "--yes");
        Assert.True(rest.ExitCode == 0, rest.ToString());
        Assert.Contains($"Replayed {poison.Count - 3} dead letter(s)", rest.Output, StringComparison.Ordinal);
        Assert.Equal(0u, await Broker.ReadyAsync(test.Topology.DeadLetterQueue));

        var fixedWorker = test.RunWorkerAsync("fixed", Faults.None);
        var expected = records.Select(r => r.MessageId).Except(listed.Take(2).Select(Id)).Order().ToList();
        await WorkerTests.WaitUntilAsync(() => Task.FromResult(test.Store.Read().Select(e => e.MessageId).Order().SequenceEqual(expected)), fixedWorker);
        await test.Stop.CancelAsync();
        await fixedWorker;
        Assert.Equal(0u, await Broker.ReadyAsync(test.Topology.DeadLetterQueue));
    }

    [SkippableFact]
    public async Task Purge_is_a_dry_run_without_yes_wants_a_filter_or_all_and_deletes_only_what_matches()
    {
        await using var test = TestTopology.Create(2);
        var (_, poison) = await DeadLetterAsync(test, Keyed.Make(400, keys: 40), new Faults(0) { PoisonEnabled = true });
        var name = test.Topology.Name;
        var listed = Lines((await SluiceCli.DeadLettersAsync("list", "--topology", name, "--json")).Output).Select(Id).ToList();

        var unfiltered = await SluiceCli.DeadLettersAsync("purge", "--topology", name, "--yes");
        Assert.Equal(1, unfiltered.ExitCode);
        Assert.Contains("error: purge without a filter would delete every dead letter.", unfiltered.Error, StringComparison.Ordinal);
        Assert.Contains("next: ", unfiltered.Error, StringComparison.Ordinal);

        var dry = await SluiceCli.DeadLettersAsync("purge", "--topology", name, "--id", listed[0], listed[2]);
        Assert.Contains("Dry run: would delete 2 dead letter(s)", dry.Output, StringComparison.Ordinal);
        Assert.Equal((uint)poison.Count, await Broker.ReadyAsync(test.Topology.DeadLetterQueue));

        var two = await SluiceCli.DeadLettersAsync("purge", "--topology", name, "--id", listed[0], listed[2], "--yes");
        Assert.True(two.ExitCode == 0, two.ToString());
        Assert.Contains("Deleted 2 dead letter(s)", two.Output, StringComparison.Ordinal);
        var left = Lines((await SluiceCli.DeadLettersAsync("list", "--topology", name, "--json")).Output).Select(Id).ToList();
        Assert.Equal(listed.Where((_, i) => i is not (0 or 2)), left);

        var all = await SluiceCli.DeadLettersAsync("purge", "--topology", name, "--all", "--yes");
        Assert.Contains($"Deleted {poison.Count - 2} dead letter(s)", all.Output, StringComparison.Ordinal);
        Assert.Equal(0u, await Broker.ReadyAsync(test.Topology.DeadLetterQueue));
    }

    [SkippableFact]
    public async Task Replay_killed_midway_loses_nothing_every_message_is_replayed_or_still_dead_lettered()
    {
        await using var test = TestTopology.Create(4);
        var (records, poison) = await DeadLetterAsync(test, Keyed.Make(1000, keys: 100), new Faults(0) { PoisonEnabled = true, AllPoison = true });
        Assert.Equal(records.Length, poison.Count);

        // Watched on one channel, so that the kill follows the first replays closely.
        await using var connection = await Broker.Factory().CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        async Task<uint> ReplayedAsync()
        {
            var ready = 0u;
            for (var partition = 0; partition < test.Topology.Partitions; partition++)
            {
                ready += (await channel.QueueDeclarePassiveAsync(test.Topology.Queue(partition))).MessageCount;
            }

            return ready;
        }

        using var replay = SluiceCli.Start(["rabbitmq", "dead-letters", "replay", "--topology", test.Topology.Name, "--yes"], Broker.Uri.ToString());
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (await ReplayedAsync() < 50)
        {
            if (replay.HasExited)
            {
                Assert.Fail("the replay ended before it could be killed: " + await replay.StandardError.ReadToEndAsync());
            }

            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), "the replay did not start within 60 s");
            await Task.Delay(5);
        }

        var atKill = await ReplayedAsync();
        replay.Kill();
        await replay.WaitForExitAsync();
        Assert.True(replay.ExitCode != 0, $"the replay ended by itself before the kill ({atKill} replayed): {await replay.StandardOutput.ReadToEndAsync()}");

        // The broker requeues what the dead connection held: each message is in the dead-letter queue, on its
        // partition queue, or (confirmed but not yet removed when the process died) in both.
        var dead = (await Broker.DrainAsync(test.Topology.DeadLetterQueue)).Select(m => m.BasicProperties.MessageId!).ToList();
        var replayed = new List<string>();
        for (var partition = 0; partition < test.Topology.Partitions; partition++)
        {
            replayed.AddRange((await Broker.DrainAsync(test.Topology.Queue(partition))).Select(m => m.BasicProperties.MessageId!));
        }

        Assert.NotEmpty(dead);
        Assert.InRange(replayed.Count, 50, records.Length - 1);
        Assert.Equal(records.Select(r => r.MessageId).Order(), dead.Union(replayed).Order());
        Assert.Equal(dead.Count, dead.Distinct().Count());
        Assert.Equal(replayed.Count, replayed.Distinct().Count());
    }

    [SkippableFact]
    public async Task Broker_errors_print_error_and_next_and_never_the_password()
    {
        await using var test = TestTopology.Create(1);
        var name = test.Topology.Name;
        var wrongPassword = new UriBuilder(Broker.Uri) { Password = Marker }.Uri.ToString();
        var refused = await SluiceCli.RunAsync(["rabbitmq", "dead-letters", "list", "--topology", name, "--rabbitmq", wrongPassword], broker: null);
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains($"error: cannot connect to RabbitMQ at amqp://{Broker.Uri.UserInfo.Split(':')[0]}@{Broker.Uri.Host}:{Broker.Uri.Port}/", refused.Error, StringComparison.Ordinal);
        Assert.Contains("next: Check the address and credentials given to --rabbitmq (or SLUICE_RABBITMQ)", refused.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(Marker, refused.Output + refused.Error, StringComparison.Ordinal);

        var noBroker = await SluiceCli.RunAsync(["rabbitmq", "dead-letters", "list", "--topology", name], broker: null);
        Assert.Equal(1, noBroker.ExitCode);
        Assert.Contains("error: no RabbitMQ broker given.", noBroker.Error, StringComparison.Ordinal);
        Assert.Contains("SLUICE_RABBITMQ", noBroker.Error, StringComparison.Ordinal);

        var notAUri = await SluiceCli.RunAsync(["rabbitmq", "dead-letters", "list", "--topology", name], broker: "http://user:" + Marker + "@host/");
        Assert.Equal(1, notAUri.ExitCode);
        Assert.Contains("error: the RabbitMQ address given by SLUICE_RABBITMQ is not an amqp:// or amqps:// URI.", notAUri.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(Marker, notAUri.Output + notAUri.Error, StringComparison.Ordinal);

        var noTopology = await SluiceCli.DeadLettersAsync("list");
        Assert.Equal(1, noTopology.ExitCode);
        Assert.Contains("error: no topology given.", noTopology.Error, StringComparison.Ordinal);

        // The topology exists only once a worker or producer declared it.
        var undeclared = await SluiceCli.DeadLettersAsync("list", "--topology", name);
        Assert.Equal(1, undeclared.ExitCode);
        Assert.Contains($"error: no queue '{test.Topology.DeadLetterQueue}'", undeclared.Error, StringComparison.Ordinal);
        Assert.Contains("next: Check --topology", undeclared.Error, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task Replay_to_an_exchange_that_is_gone_fails_and_keeps_every_dead_letter()
    {
        await using var test = TestTopology.Create(2);
        var (_, poison) = await DeadLetterAsync(test, Keyed.Make(300, keys: 30), new Faults(0) { PoisonEnabled = true });
        await using (var connection = await Broker.Factory().CreateConnectionAsync())
        await using (var channel = await connection.CreateChannelAsync())
        {
            await channel.ExchangeDeleteAsync(test.Topology.Exchange);
        }

        var replay = await SluiceCli.DeadLettersAsync("replay", "--topology", test.Topology.Name, "--yes");
        Assert.Equal(1, replay.ExitCode);
        Assert.Contains("Replayed 0 dead letter(s)", replay.Output, StringComparison.Ordinal);
        Assert.Contains($"error: {poison.Count} dead letter(s) were not replayed and are still in {test.Topology.DeadLetterQueue}", replay.Error, StringComparison.Ordinal);
        Assert.Contains("next: Check that the topology is declared", replay.Error, StringComparison.Ordinal);
        Assert.Equal((uint)poison.Count, await Broker.ReadyAsync(test.Topology.DeadLetterQueue));
    }

    [SkippableFact]
    public async Task A_message_the_broker_dead_lettered_itself_is_listed_with_its_reason_and_replayed_to_the_exchange_it_names()
    {
        await using var test = TestTopology.Create(2);
        var records = Keyed.Make(20, keys: 5);
        await test.PublishAsync(records);

        // A partition queue rejects one message without requeueing it: the broker dead-letters it, with x-death headers
        // and none of the worker's.
        var queue = test.Topology.Queue(0);
        string id;
        await using (var connection = await Broker.Factory().CreateConnectionAsync())
        await using (var channel = await connection.CreateChannelAsync())
        {
            var message = await channel.BasicGetAsync(queue, autoAck: false);
            Assert.NotNull(message);
            id = message.BasicProperties.MessageId!;
            await channel.BasicNackAsync(message.DeliveryTag, multiple: false, requeue: false);
        }

        var readyBefore = await Broker.ReadyAsync(queue);
        await WorkerTests.WaitUntilAsync(async () => await Broker.ReadyAsync(test.Topology.DeadLetterQueue) == 1, Task.Delay(-1), seconds: 10);
        var letter = Assert.Single(Lines((await SluiceCli.DeadLettersAsync("list", "--topology", test.Topology.Name, "--json")).Output));
        Assert.Equal(id, Id(letter));
        Assert.Equal("broker: rejected", letter.GetProperty("exceptionType").GetString());
        Assert.Equal(test.Topology.Exchange, letter.GetProperty("originalExchange").GetString());
        Assert.Equal(queue, letter.GetProperty("originalQueue").GetString());

        var replay = await SluiceCli.DeadLettersAsync("replay", "--topology", test.Topology.Name, "--yes");
        Assert.True(replay.ExitCode == 0, replay.ToString());
        Assert.Equal(0u, await Broker.ReadyAsync(test.Topology.DeadLetterQueue));
        Assert.Equal(readyBefore + 1, await Broker.ReadyAsync(queue));
        var back = (await Broker.DrainAsync(queue)).Last();
        Assert.Equal(id, back.BasicProperties.MessageId);
        Assert.DoesNotContain(back.BasicProperties.Headers?.Keys ?? [], k => k.StartsWith("x-death", StringComparison.Ordinal) || k.StartsWith("x-first-death", StringComparison.Ordinal));
    }

    /// <summary>Publishes <paramref name="records"/> and runs a worker until every record is stored or dead-lettered.</summary>
    private static async Task<(Keyed[] Records, HashSet<string> Poison)> DeadLetterAsync(TestTopology test, Keyed[] records, Faults faults)
    {
        var poison = records.Where(r => faults.IsPoison(r.Index)).Select(r => r.MessageId).ToHashSet();
        await test.PublishAsync(records);
        using var stop = new CancellationTokenSource();
        RabbitMqSource? source = null;
        var worker = TestWorker.RunAsync(test.Topology, test.Store, "failing", faults, new RabbitMqSourceOptions(), stop.Token, onSource: s => source = s);

        // Every message acknowledged: stored, or dead-lettered and confirmed; none is left in a partition queue.
        await WorkerTests.WaitUntilAsync(
            async () => source?.Acknowledged >= records.Length && await Broker.ReadyAsync(test.Topology.DeadLetterQueue) >= poison.Count,
            worker);
        await stop.CancelAsync();
        await worker;
        Assert.Equal((uint)poison.Count, await Broker.ReadyAsync(test.Topology.DeadLetterQueue));
        Assert.Equal(0u, await ReadyInPartitionsAsync(test.Topology));
        Assert.Equal(records.Select(r => r.MessageId).Except(poison).Order(), test.Store.Read().Select(e => e.MessageId).Order());
        return (records, poison);
    }

    private static async Task<uint> ReadyInPartitionsAsync(RabbitMqTopology topology)
    {
        var ready = 0u;
        for (var partition = 0; partition < topology.Partitions; partition++)
        {
            ready += await Broker.ReadyAsync(topology.Queue(partition));
        }

        return ready;
    }

    private static List<JsonElement> Lines(string output)
        => output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement).ToList();

    private static string Id(JsonElement letter) => letter.GetProperty("messageId").GetString()!;
}
