using System.Text.Json;
using Sluice.Runtime.Tests.Support;

namespace Sluice.Runtime.Tests.DeadLetters;

public class DeadLetterStoreTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task A_json_payload_is_stored_as_a_json_object_and_reads_back_as_written()
    {
        var path = _temp.File("dead.jsonl");
        using (var sink = new JsonLinesDeadLetterSink(path))
        {
            await sink.WriteAsync(
            [
                DeadLetter.From(new Order(7, "ada", 12.5m), new FormatException("bad")),
                DeadLetter.From("a \"quoted\" line", new FormatException("bad")),
                DeadLetter.From(42, new FormatException("bad")),
                new DeadLetter { Payload = "100137,C-0042", ErrorType = "X", ErrorMessage = "not json" },
                new DeadLetter { Payload = "{\n  \"Id\": 9\n}", ErrorType = "X", ErrorMessage = "indented" },
            ]);
        }

        var lines = await File.ReadAllLinesAsync(path);
        Assert.Equal(5, lines.Length);
        using (var first = JsonDocument.Parse(lines[0]))
        {
            var payload = first.RootElement.GetProperty("payload");
            Assert.Equal(JsonValueKind.Object, payload.ValueKind);
            Assert.Equal("ada", payload.GetProperty("Customer").GetString());
        }

        using (var number = JsonDocument.Parse(lines[2]))
        {
            Assert.Equal(42, number.RootElement.GetProperty("payload").GetInt32());
        }

        using (var indented = JsonDocument.Parse(lines[4]))
        {
            Assert.Equal(9, indented.RootElement.GetProperty("payload").GetProperty("Id").GetInt32());
        }

        var read = await global::Sluice.DeadLetters.ReadAsync(path).ToListAsync();
        Assert.Equal("{\"Id\":7,\"Customer\":\"ada\",\"Amount\":12.5}", read[0].Payload);
        Assert.Equal(DeadLetter.From("a \"quoted\" line", new FormatException()).Payload, read[1].Payload);
        Assert.Equal(JsonValueKind.String, JsonDocument.Parse(lines[1]).RootElement.GetProperty("payload").ValueKind);
        Assert.Equal("42", read[2].Payload);
        Assert.Equal("100137,C-0042", read[3].Payload);
        Assert.Equal("{\"Id\":9}", read[4].Payload);

        Assert.Equal(new Order(7, "ada", 12.5m), read[0].PayloadAs<Order>());
        Assert.Equal("a \"quoted\" line", read[1].PayloadAs<string>());
        Assert.Equal(42, read[2].PayloadAs<int>());
        Assert.Throws<JsonException>(() => read[3].PayloadAs<Order>());
    }

    [Fact]
    public async Task Files_written_with_escaped_string_payloads_still_read()
    {
        var path = _temp.File("old.jsonl");
        await File.WriteAllTextAsync(path, "{\"id\":\"1\",\"payload\":\"{\\\"Id\\\":3,\\\"Customer\\\":\\\"bo\\\",\\\"Amount\\\":1}\",\"errorType\":\"X\",\"errorMessage\":\"m\"}\n");
        var letter = Assert.Single(await global::Sluice.DeadLetters.ReadAsync(path).ToListAsync());
        Assert.Equal(new Order(3, "bo", 1), letter.PayloadAs<Order>());
    }

    [Fact]
    public async Task Reading_filters_by_instance_error_type_and_time_and_deduplicates_by_id()
    {
        using var sink = new JsonLinesDeadLetterSink(_temp.File("dead.jsonl"), new JsonLinesDeadLetterSinkOptions { MaxFileSizeBytes = 1024 });
        var t0 = new DateTimeOffset(2026, 11, 30, 2, 0, 0, TimeSpan.Zero);
        var letters = Enumerable.Range(0, 20).Select(i => new DeadLetter
        {
            Id = "id-" + i,
            Payload = i.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ErrorType = i % 2 == 0 ? "System.FormatException" : "System.TimeoutException",
            ErrorMessage = "m",
            Pipeline = "p",
            Instance = i < 10 ? "p@a" : "p@b",
            Timestamp = t0.AddMinutes(i),
        }).ToList();
        foreach (var letter in letters)
        {
            await sink.WriteAsync(letter);
        }

        // The same record dead-lettered again after a restart: one entry, the latest.
        await sink.WriteAsync(letters[3] with { Attempts = 5 });
        Assert.True(JsonLinesDeadLetterSink.HighestRotation(sink.Path) > 0, "the test needs rotated files");

        var all = await sink.ReadAsync().ToListAsync();
        Assert.Equal(20, all.Count);
        Assert.Equal(5, all.Single(d => d.Id == "id-3").Attempts);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => "id-" + i), (await sink.ReadAsync(new DeadLetterQuery { Instance = "p@a" }).ToListAsync()).Select(d => d.Id));
        Assert.Equal(10, await sink.ReadAsync(new DeadLetterQuery { ErrorType = "FormatException" }).CountAsync());
        Assert.Equal(10, await sink.ReadAsync(new DeadLetterQuery { ErrorType = "System.TimeoutException" }).CountAsync());
        Assert.Equal(["id-5", "id-6"], (await sink.ReadAsync(new DeadLetterQuery { Since = t0.AddMinutes(5), Until = t0.AddMinutes(7) }).ToListAsync()).Select(d => d.Id));

        Assert.Equal(2, await sink.DeleteAsync(["id-3", "id-15", "missing"]));
        var left = await sink.ReadAsync().ToListAsync();
        Assert.Equal(18, left.Count);
        Assert.DoesNotContain(left, d => d.Id is "id-3" or "id-15");
        Assert.Equal(0, await sink.DeleteAsync([]));
    }

    [Fact]
    public async Task Replay_removes_only_the_dead_letters_that_now_succeed_and_reports_the_others()
    {
        using var sink = new JsonLinesDeadLetterSink(_temp.File("dead.jsonl"));
        var orders = Enumerable.Range(1, 30).Select(i => new Order(i, i % 3 == 0 ? "" : "c" + i, i)).ToArray();
        foreach (var input in new[] { "monday", "tuesday" })
        {
            await SluicePipeline.From(orders)
                .WithName("orders").ForInput(input)
                .WithDeadLetters(sink)
                .RunAsync((order, _) => order.Customer.Length == 0 ? throw new ArgumentException("customer is required") : ValueTask.CompletedTask);
        }

        Assert.Equal(20, await sink.ReadAsync().CountAsync());

        // The fix covers only some customers: orders 3..15 now go through, 18..30 still fail.
        var handled = new List<Order>();
        var report = await DeadLetterReplay.ReplayAsync(sink, new DeadLetterQuery { Instance = "orders@monday" }, (letter, _) =>
        {
            var order = letter.PayloadAs<Order>()!;
            if (order.Id > 15)
            {
                throw new InvalidOperationException($"customer of order {order.Id} still unknown");
            }

            handled.Add(order);
            return ValueTask.CompletedTask;
        });

        Assert.Equal(5, report.Succeeded);
        Assert.Equal([3, 6, 9, 12, 15], handled.Select(o => o.Id));
        Assert.Equal([18, 21, 24, 27, 30], report.Failed.Select(f => f.DeadLetter.PayloadAs<Order>()!.Id));
        Assert.All(report.Failed, f => Assert.Equal(typeof(InvalidOperationException).FullName, f.ErrorType));

        var monday = await sink.ReadAsync(new DeadLetterQuery { Instance = "orders@monday" }).ToListAsync();
        Assert.Equal([18, 21, 24, 27, 30], monday.Select(d => d.PayloadAs<Order>()!.Id));
        Assert.All(monday, d => Assert.Equal(typeof(ArgumentException).FullName, d.ErrorType));
        Assert.Equal(10, await sink.ReadAsync(new DeadLetterQuery { Instance = "orders@tuesday" }).CountAsync());

        Assert.Equal("store", (await Assert.ThrowsAsync<ArgumentNullException>(() => DeadLetterReplay.ReplayAsync(null!, null, (_, _) => ValueTask.CompletedTask))).ParamName);
        Assert.Equal("handler", (await Assert.ThrowsAsync<ArgumentNullException>(() => DeadLetterReplay.ReplayAsync(sink, null, null!))).ParamName);
    }
}
