using System.Collections.Concurrent;
using System.Text.Json.Serialization;
using Sluice.Runtime.Tests.Support;

namespace Sluice.Runtime.Tests.DeadLetters;

[JsonSerializable(typeof(Order))]
internal sealed partial class TestJsonContext : JsonSerializerContext;

public class ReplayTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Dead_letters_written_by_a_pipeline_can_be_replayed_through_another_pipeline()
    {
        var path = _temp.File("orders.dead.jsonl");
        var orders = Enumerable.Range(1, 40).Select(i => new Order(i, i % 5 == 0 ? "" : "customer-" + i, i)).ToArray();
        using (var sink = new JsonLinesDeadLetterSink(path))
        {
            var first = await SluicePipeline.From(orders)
                .WithName("orders")
                .WithDeadLetters(sink, order => System.Text.Json.JsonSerializer.Serialize(order, TestJsonContext.Default.Order))
                .RunAsync((order, _) => order.Customer.Length == 0 ? throw new ArgumentException("customer is required") : ValueTask.CompletedTask);
            Assert.Equal(8, first.DeadLettered);
        }

        // After the bug is fixed (customers are looked up), replay the dead letters.
        var replayed = new ConcurrentBag<Order>();
        var report = await SluicePipeline.From(global::Sluice.DeadLetters.ReadAsync(path))
            .WithName("orders-replay")
            .RunAsync((deadLetter, _) =>
            {
                var order = deadLetter.PayloadAs(TestJsonContext.Default.Order)!;
                Assert.Equal(typeof(ArgumentException).FullName, deadLetter.ErrorType);
                Assert.Equal(order.Id - 1, deadLetter.Position);
                replayed.Add(order with { Customer = "looked-up" });
                return ValueTask.CompletedTask;
            });

        Assert.Equal(8, report.Succeeded);
        Assert.Equal(orders.Where(o => o.Customer.Length == 0).Select(o => o.Id), replayed.Select(o => o.Id).Order());
        Assert.Equal("typeInfo", Assert.Throws<ArgumentNullException>(() => DeadLetter.From(1, new FormatException()).PayloadAs<int>(null!)).ParamName);
    }
}
