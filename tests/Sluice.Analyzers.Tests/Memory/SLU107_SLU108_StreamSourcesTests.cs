using Sluice.Analyzers.Memory;
using Sluice.Analyzers.Tests.Harness;
using Sluice.CodeFixes.Memory;

namespace Sluice.Analyzers.Tests.Memory;

/// <summary>
/// The streams SLU107 and SLU108 share (StreamedSources) beyond queries and data readers: unbuffered Dapper queries,
/// CsvHelper records and readers, File.ReadLines, a channel's ReadAllAsync and a broker consumer's async stream.
/// </summary>
public class SLU107_SLU108_StreamSourcesTests
{
    private const string Model = """

        public class Order
        {
            public int Id { get; set; }
        }

        public class Shop : Microsoft.EntityFrameworkCore.DbContext
        {
            public Microsoft.EntityFrameworkCore.DbSet<Order> Orders => Set<Order>();
        }

        public interface IMessageConsumer<T>
        {
            System.Collections.Generic.IAsyncEnumerable<T> ConsumeAsync(System.Threading.CancellationToken cancellationToken);
        }
        """;

    private static RuleTest Accumulated(string source)
        => Verify.Analyzer<StreamAccumulatedAnalyzer>()
            .WithSource(source + Model)
            .WithLibraries(Library.EntityFrameworkCore, Library.Dapper, Library.CsvHelper);

    private static RuleTest AccumulatedFromBrokers(string source)
        => Verify.Analyzer<StreamAccumulatedAnalyzer>()
            .WithSource(source + Model)
            .WithLibraries(Library.EntityFrameworkCore, Library.Kafka, Library.RabbitMq);

    private static RuleTest Tracked(string source)
        => Verify.Analyzer<UnitOfWorkGrowsAnalyzer>()
            .WithSource(source + Model)
            .WithLibraries(Library.EntityFrameworkCore, Library.Dapper, Library.CsvHelper);

    // ---- SLU107: positives ---------------------------------------------------------------------

    [Fact]
    public Task Unbuffered_Dapper_queries_accumulated_are_reported()
        => Accumulated("""
            using System.Collections.Generic;
            using System.Data;
            using System.Linq;
            using System.Threading.Tasks;
            using Dapper;

            class Export
            {
                async Task<int> Run(IDbConnection connection, System.Data.Common.DbConnection db)
                {
                    var orders = new List<Order>();
                    foreach (var order in connection.Query<Order>("SELECT * FROM orders", buffered: false))
                    {
                        [|orders.Add(order)|];
                    }

                    var ids = new HashSet<int>();
                    foreach (var id in connection.Query<int>(new CommandDefinition("SELECT id FROM orders", flags: CommandFlags.None)).Where(i => i > 0))
                    {
                        [|ids.Add(id)|];
                    }

                    var open = new List<Order>();
                    await foreach (var order in db.QueryUnbufferedAsync<Order>("SELECT * FROM orders WHERE status = 'open'"))
                    {
                        [|open.Add(order)|];
                    }

                    return orders.Count + ids.Count + open.Count;
                }
            }
            """)
            .WithMessages(
                "'orders' collects every item of the unbuffered Dapper query and outlives the loop, so the whole stream ends up in memory; process the items in batches instead of accumulating them",
                "'ids' collects every item of the unbuffered Dapper query and outlives the loop, so the whole stream ends up in memory; process the items in batches instead of accumulating them",
                "'open' collects every item of the unbuffered Dapper query and outlives the loop, so the whole stream ends up in memory; process the items in batches instead of accumulating them")
            .RunAsync();

    [Fact]
    public Task CsvHelper_records_and_reader_loops_accumulated_are_reported()
        => Accumulated("""
            using System.Collections.Generic;
            using System.Threading.Tasks;
            using CsvHelper;

            class Import
            {
                private readonly List<Order> _orders = new();

                async Task<int> Run(CsvReader csv, CsvReader other, CsvReader third)
                {
                    foreach (var order in csv.GetRecords<Order>())
                    {
                        [|_orders.Add(order)|];
                    }

                    var byId = new Dictionary<int, Order>();
                    await foreach (var order in other.GetRecordsAsync<Order>())
                    {
                        [|byId[order.Id] = order|];
                    }

                    var rows = new List<Order>();
                    while (await third.ReadAsync())
                    {
                        [|rows.Add(third.GetRecord<Order>())|];
                    }

                    return byId.Count + rows.Count;
                }
            }
            """)
            .WithMessages(
                "'_orders' collects every item of the CSV records and outlives the loop, so the whole stream ends up in memory; process the items in batches instead of accumulating them",
                "'byId' collects every item of the CSV records and outlives the loop, so the whole stream ends up in memory; process the items in batches instead of accumulating them",
                "'rows' collects every item of the CSV reader and outlives the loop, so the whole stream ends up in memory; process the items in batches instead of accumulating them")
            .RunAsync();

    [Fact]
    public Task A_channel_and_a_broker_consumer_stream_accumulated_are_reported()
        => Accumulated("""
            using System.Collections.Generic;
            using System.Threading;
            using System.Threading.Channels;
            using System.Threading.Tasks;

            class Drain
            {
                async Task<int> Run(ChannelReader<Order> channel, IMessageConsumer<Order> consumer, CancellationToken ct)
                {
                    var received = new List<Order>();
                    await foreach (var order in channel.ReadAllAsync(ct))
                    {
                        [|received.Add(order)|];
                    }

                    var consumed = new Queue<Order>();
                    await foreach (var order in consumer.ConsumeAsync(ct).ConfigureAwait(false))
                    {
                        [|consumed.Enqueue(order)|];
                    }

                    return received.Count + consumed.Count;
                }
            }
            """)
            .WithMessages(
                "'received' collects every item of the async stream and outlives the loop, so the whole stream ends up in memory; process the items in batches instead of accumulating them",
                "'consumed' collects every item of the async stream and outlives the loop, so the whole stream ends up in memory; process the items in batches instead of accumulating them")
            .RunAsync();

    // ---- SLU107: near misses -------------------------------------------------------------------

    [Fact]
    public Task Buffered_bounded_and_callers_Dapper_queries_are_not_streams()
        => Accumulated("""
            using System.Collections.Generic;
            using System.Data;
            using System.Linq;
            using Dapper;

            class Export
            {
                int Run(IDbConnection connection, string sql)
                {
                    var a = new List<Order>();
                    foreach (var order in connection.Query<Order>("SELECT * FROM orders"))
                    {
                        a.Add(order);
                    }

                    var b = new List<Order>();
                    foreach (var order in connection.Query<Order>("SELECT * FROM orders", buffered: true))
                    {
                        b.Add(order);
                    }

                    var c = new List<Order>();
                    foreach (var order in connection.Query<Order>("SELECT * FROM orders LIMIT 100", buffered: false))
                    {
                        c.Add(order);
                    }

                    var d = new List<Order>();
                    foreach (var order in connection.Query<Order>("SELECT * FROM orders WHERE id = @id", new { id = 1 }, buffered: false))
                    {
                        d.Add(order);
                    }

                    var e = new List<Order>();
                    foreach (var order in connection.Query<Order>(sql, buffered: false))
                    {
                        e.Add(order);
                    }

                    var f = new List<Order>();
                    foreach (var order in connection.Query<Order>("SELECT * FROM orders", buffered: false).Take(50))
                    {
                        f.Add(order);
                    }

                    var g = new List<Order>();
                    foreach (var order in connection.Query<Order>(new CommandDefinition("SELECT * FROM orders")))
                    {
                        g.Add(order);
                    }

                    return a.Count + b.Count + c.Count + d.Count + e.Count + f.Count + g.Count;
                }
            }
            """).RunAsync();

    [Fact]
    public Task CsvHelper_loops_that_flush_or_are_bounded_are_silent()
        => Accumulated("""
            using System.Collections.Generic;
            using System.Linq;
            using CsvHelper;

            class Import
            {
                int Run(CsvReader csv, CsvReader other)
                {
                    var batch = new List<Order>();
                    foreach (var order in csv.GetRecords<Order>())
                    {
                        batch.Add(order);
                        if (batch.Count == 500)
                        {
                            Save(batch);
                            batch.Clear();
                        }
                    }

                    Save(batch);

                    var sample = new List<Order>();
                    foreach (var order in other.GetRecords<Order>().Take(10))
                    {
                        sample.Add(order);
                    }

                    var header = new List<string>();
                    while (csv.Read())
                    {
                        var row = csv.GetRecord<Order>();
                    }

                    return sample.Count + header.Count;
                }

                void Save(List<Order> orders)
                {
                }
            }
            """).RunAsync();

    // ---- SLU108: positives ---------------------------------------------------------------------

    [Fact]
    public Task Tracking_over_Dapper_CsvHelper_and_channel_streams_is_reported()
        => Tracked("""
            using System.Data;
            using System.Threading;
            using System.Threading.Channels;
            using System.Threading.Tasks;
            using CsvHelper;
            using Dapper;

            class Import
            {
                async Task Run(Shop db, IDbConnection legacy, CsvReader csv, ChannelReader<Order> channel, IMessageConsumer<Order> consumer, CancellationToken ct)
                {
                    foreach (var row in legacy.Query<Order>("SELECT * FROM orders", buffered: false))
                    {
                        [|db.Orders.Add(row)|];
                    }

                    await db.SaveChangesAsync(ct);

                    foreach (var row in csv.GetRecords<Order>())
                    {
                        [|db.Add(row)|];
                    }

                    await db.SaveChangesAsync(ct);

                    await foreach (var order in channel.ReadAllAsync(ct))
                    {
                        [|db.Update(order)|];
                    }

                    await db.SaveChangesAsync(ct);

                    await foreach (var order in consumer.ConsumeAsync(ct))
                    {
                        [|db.Attach(order)|];
                    }

                    db.SaveChanges();

                    while (csv.Read())
                    {
                        [|db.Add(csv.GetRecord<Order>())|];
                    }

                    db.SaveChanges();
                }
            }
            """)
            .WithMessages(
                "'db' tracks every entity of this loop over the unbuffered Dapper query until the one SaveChanges after it, so the change tracker grows for the whole job; save and clear it every batch",
                "'db' tracks every entity of this loop over the CSV records until the one SaveChanges after it, so the change tracker grows for the whole job; save and clear it every batch",
                "'db' tracks every entity of this loop over the async stream until the one SaveChanges after it, so the change tracker grows for the whole job; save and clear it every batch",
                "'db' tracks every entity of this loop over the async stream until the one SaveChanges after it, so the change tracker grows for the whole job; save and clear it every batch",
                "'db' tracks every entity of this loop over the CSV reader until the one SaveChanges after it, so the change tracker grows for the whole job; save and clear it every batch")
            .RunAsync();

    // ---- SLU108: near misses -------------------------------------------------------------------

    [Fact]
    public Task Tracking_over_buffered_or_bounded_Dapper_or_saved_CsvHelper_loops_is_silent()
        => Tracked("""
            using System.Data;
            using CsvHelper;
            using Dapper;

            class Import
            {
                void Run(Shop db, IDbConnection legacy, CsvReader csv)
                {
                    foreach (var row in legacy.Query<Order>("SELECT * FROM orders"))
                    {
                        db.Add(row);
                    }

                    db.SaveChanges();

                    foreach (var row in legacy.Query<Order>("SELECT TOP 10 * FROM orders", buffered: false))
                    {
                        db.Add(row);
                    }

                    db.SaveChanges();

                    var count = 0;
                    foreach (var row in csv.GetRecords<Order>())
                    {
                        db.Add(row);
                        if (++count % 1000 == 0)
                        {
                            db.SaveChanges();
                            db.ChangeTracker.Clear();
                        }
                    }

                    db.SaveChanges();
                }
            }
            """).RunAsync();

    // ---- SLU108: the fix -----------------------------------------------------------------------

    [Fact]
    public Task CsvHelper_records_are_saved_and_cleared_every_batch()
        => Verify.CodeFix<UnitOfWorkGrowsAnalyzer, UnitOfWorkGrowsCodeFix>(UnitOfWorkGrowsCodeFix.InBatchesKey)
            .WithSource("""
                using CsvHelper;

                class Import
                {
                    void Run(Shop db, CsvReader csv, CsvReader other)
                    {
                        foreach (var row in csv.GetRecords<Order>())
                        {
                            [|db.Orders.Add(row)|];
                        }

                        db.SaveChanges();

                        foreach (var row in other.GetRecords<Order>())
                        {
                            [|db.Add(row)|];
                        }

                        db.SaveChanges();
                    }
                }
                """ + Model)
            .WithFixedSource("""
                using CsvHelper;
                using Sluice;

                class Import
                {
                    void Run(Shop db, CsvReader csv, CsvReader other)
                    {
                        foreach (var batch in csv.GetRecords<Order>().InBatches(1000))
                        {
                            foreach (var row in batch)
                            {
                                db.Orders.Add(row);
                            }

                            db.SaveChanges();
                            db.ChangeTracker.Clear();
                        }

                        db.SaveChanges();

                        foreach (var batch in other.GetRecords<Order>().InBatches(1000))
                        {
                            foreach (var row in batch)
                            {
                                db.Add(row);
                            }

                            db.SaveChanges();
                            db.ChangeTracker.Clear();
                        }

                        db.SaveChanges();
                    }
                }
                """ + Model)
            .WithLibraries(Library.EntityFrameworkCore, Library.CsvHelper, Library.SluiceRuntime)
            .RunAsync();

    [Fact]
    public Task No_fix_over_an_unbuffered_Dapper_query_which_holds_its_connection()
        => Verify.CodeFix<UnitOfWorkGrowsAnalyzer, UnitOfWorkGrowsCodeFix>()
            .WithSource("""
                using System.Data;
                using System.Data.Common;
                using System.Threading.Tasks;
                using Dapper;

                class Import
                {
                    void Run(Shop db, IDbConnection legacy)
                    {
                        foreach (var row in legacy.Query<Order>("SELECT * FROM orders", buffered: false))
                        {
                            [|db.Add(row)|];
                        }

                        db.SaveChanges();
                    }

                    async Task RunAsync(Shop db, DbConnection legacy)
                    {
                        await foreach (var row in legacy.QueryUnbufferedAsync<Order>("SELECT * FROM orders"))
                        {
                            [|db.Add(row)|];
                        }

                        await db.SaveChangesAsync();
                    }
                }
                """ + Model)
            .WithLibraries(Library.EntityFrameworkCore, Library.Dapper, Library.SluiceRuntime)
            .ExpectNoFix()
            .RunAsync();

    // ---- Broker polling loops ------------------------------------------------------------------

    [Fact]
    public Task Kafka_and_RabbitMQ_polling_loops_accumulated_are_reported()
        => AccumulatedFromBrokers("""
            using System.Collections.Generic;
            using System.Threading;
            using System.Threading.Tasks;
            using Confluent.Kafka;
            using RabbitMQ.Client;

            class Collector
            {
                private readonly List<byte[]> _bodies = new();

                List<string> Events(IConsumer<string, string> consumer, CancellationToken ct)
                {
                    var events = new List<string>();
                    while (!ct.IsCancellationRequested)
                    {
                        var result = consumer.Consume(ct);
                        [|events.Add(result.Message.Value)|];
                    }

                    return events;
                }

                async Task Drain(IChannel channel, CancellationToken ct)
                {
                    while (true)
                    {
                        var got = await channel.BasicGetAsync("orders", autoAck: true, ct);
                        if (got is null)
                        {
                            continue;
                        }

                        [|_bodies.Add(got.Body.ToArray())|];
                    }
                }
            }
            """)
            .WithMessages(
                "'events' collects every item of the received messages and outlives the loop, so the whole stream ends up in memory; process the items in batches instead of accumulating them",
                "'_bodies' collects every item of the received messages and outlives the loop, so the whole stream ends up in memory; process the items in batches instead of accumulating them")
            .RunAsync();

    [Fact]
    public Task Bounded_or_flushing_polling_loops_and_loops_that_receive_nothing_are_silent()
        => AccumulatedFromBrokers("""
            using System;
            using System.Collections.Generic;
            using System.Threading;
            using Confluent.Kafka;

            class Collector
            {
                List<string> Batch(IConsumer<string, string> consumer, int max, CancellationToken ct)
                {
                    var batch = new List<string>();
                    while (batch.Count < max)
                    {
                        var result = consumer.Consume(ct);
                        batch.Add(result.Message.Value);
                    }

                    return batch;
                }

                void Flushing(IConsumer<string, string> consumer, CancellationToken ct)
                {
                    var batch = new List<string>();
                    while (!ct.IsCancellationRequested)
                    {
                        var result = consumer.Consume(ct);
                        batch.Add(result.Message.Value);
                        if (batch.Count == 500)
                        {
                            Write(batch);
                            batch.Clear();
                        }
                    }
                }

                List<string> UntilEmpty(IConsumer<string, string> consumer, CancellationToken ct)
                {
                    var seen = new List<string>();
                    while (!ct.IsCancellationRequested)
                    {
                        var result = consumer.Consume(TimeSpan.FromSeconds(1));
                        if (result is null)
                        {
                            break;
                        }

                        seen.Add(result.Message.Value);
                    }

                    return seen;
                }

                List<int> NoReceive(Queue<int> pending, CancellationToken ct)
                {
                    var taken = new List<int>();
                    while (!ct.IsCancellationRequested)
                    {
                        var next = pending.Dequeue();
                        taken.Add(next);
                    }

                    return taken;
                }

                void Write(List<string> batch) { }
            }
            """).RunAsync();

    [Fact]
    public Task Tracking_over_a_Kafka_polling_loop_saved_once_after_it_is_reported_and_saving_per_batch_is_silent()
        => Verify.Analyzer<UnitOfWorkGrowsAnalyzer>()
            .WithSource("""
                using System.Threading;
                using System.Threading.Tasks;
                using Confluent.Kafka;

                class Import
                {
                    async Task Run(Shop db, IConsumer<string, int> consumer, CancellationToken ct)
                    {
                        while (!ct.IsCancellationRequested)
                        {
                            var result = consumer.Consume(ct);
                            [|db.Orders.Add(new Order { Id = result.Message.Value })|];
                        }

                        await db.SaveChangesAsync(ct);
                    }

                    async Task Batched(Shop db, IConsumer<string, int> consumer, CancellationToken ct)
                    {
                        var pending = 0;
                        while (!ct.IsCancellationRequested)
                        {
                            var result = consumer.Consume(ct);
                            db.Orders.Add(new Order { Id = result.Message.Value });
                            if (++pending == 500)
                            {
                                await db.SaveChangesAsync(ct);
                                db.ChangeTracker.Clear();
                                pending = 0;
                            }
                        }

                        await db.SaveChangesAsync(ct);
                    }

                    async Task Bounded(Shop db, IConsumer<string, int> consumer, CancellationToken ct)
                    {
                        var count = 0;
                        while (count++ < 100)
                        {
                            var result = consumer.Consume(ct);
                            db.Orders.Add(new Order { Id = result.Message.Value });
                        }

                        await db.SaveChangesAsync(ct);
                    }
                }
                """ + Model)
            .WithLibraries(Library.EntityFrameworkCore, Library.Kafka)
            .WithMessages("'db' tracks every entity of this loop over the received messages until the one SaveChanges after it, so the change tracker grows for the whole job; save and clear it every batch")
            .RunAsync();
}
