using System.Collections.Concurrent;
using Sluice.PostgreSql.Tests.Support;

namespace Sluice.PostgreSql.Tests;

/// <summary>
/// Seeded faults against the real server: records the handler rejects for good, records that fail once transiently,
/// and records the table itself refuses (a CHECK constraint). Every record must end exactly once: stored, or
/// dead-lettered, never both, never twice, never neither.
/// </summary>
public class FaultSuiteTests
{
    private sealed record Plan(List<Event> Events, HashSet<int> Poison, HashSet<int> Transient, HashSet<int> Refused, int BatchSize)
    {
        public static Plan For(int seed)
        {
            var random = new Random(seed);
            var count = 300 + random.Next(200);
            var events = new List<Event>(count);
            HashSet<int> poison = [], transient = [], refused = [];
            for (var id = 0; id < count; id++)
            {
                var roll = random.NextDouble();
                if (roll < 0.05)
                {
                    poison.Add(id);
                }
                else if (roll < 0.08)
                {
                    refused.Add(id);
                }
                else if (roll < 0.18)
                {
                    transient.Add(id);
                }

                events.Add(new Event(id, refused.Contains(id) ? -1 : id));
            }

            return new Plan(events, poison, transient, refused, 1 + random.Next(40));
        }

        public IEnumerable<int> Good => Events.Select(e => e.Id).Where(id => !Poison.Contains(id) && !Refused.Contains(id));

        public IEnumerable<long> Bad => Events.Select(e => e.Id).Where(id => Poison.Contains(id) || Refused.Contains(id)).Select(id => (long)id);

        public Func<Event, CancellationToken, ValueTask> Handler()
        {
            var attempts = new ConcurrentDictionary<int, int>();
            return (e, _) =>
            {
                var attempt = attempts.AddOrUpdate(e.Id, 1, (_, n) => n + 1);
                if (Poison.Contains(e.Id))
                {
                    throw new InvalidDataException($"record {e.Id} is malformed");
                }

                if (Transient.Contains(e.Id) && attempt == 1)
                {
                    throw new TimeoutException($"record {e.Id} timed out");
                }

                return ValueTask.CompletedTask;
            };
        }
    }

    [SkippableTheory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public async Task Transactional_path_every_record_ends_exactly_once_with_a_plain_insert(int seed)
    {
        await using var db = await TestDatabase.CreateAsync();
        await db.ExecuteAsync(PlainInsertWriter.CreateTable(db.Schema));
        var sink = new PostgresTransactionalSink<Event>(db.DataSource, new PlainInsertWriter(db.Schema), db.Tables());
        await sink.EnsureSchemaAsync();
        var plan = Plan.For(seed);

        var report = await SluicePipeline.From(plan.Events).WithName("faults").WithBatchSize(plan.BatchSize)
            .WithResilience(Fast.Resilience())
            .WithTransactionalSink(sink)
            .RunAsync(plan.Handler());

        Assert.Equal(plan.Good, await Outcome.StoredIdsAsync(db.DataSource, db.Schema));
        Assert.Equal(plan.Bad, await Outcome.DeadLetteredPositionsAsync(db.DataSource, db.Tables(), "faults"));
        Assert.Equal((plan.Events.Count, plan.Good.Count(), plan.Bad.Count()), ((int)report.Checkpoint!.Value, (int)report.Succeeded, (int)report.DeadLettered));
    }

    [SkippableTheory]
    [InlineData(5)]
    [InlineData(6)]
    public async Task Store_path_every_record_ends_exactly_once_with_the_upsert_sink_in_parallel(int seed)
    {
        await using var db = await TestDatabase.CreateAsync();
        await db.ExecuteAsync($"CREATE TABLE \"{db.Schema}\".events (record_id int PRIMARY KEY, value int NOT NULL CHECK (value >= 0))");
        await PostgresSchema.EnsureAsync(db.DataSource, db.Tables());
        var upsert = new PostgresUpsertSink<Event>(db.DataSource, new PostgresTableMap<Event>("events", db.Schema).Key("record_id", e => e.Id).Column("value", e => e.Value));
        var plan = Plan.For(seed);
        var check = plan.Handler();

        var report = await SluicePipeline.From(plan.Events).WithName("faults").WithBatchSize(plan.BatchSize)
            .WithParallelism(3)
            .PartitionBy(e => e.Id % 5)
            .WithResilience(Fast.Resilience())
            .WithDeadLetters(new PostgresDeadLetterSink(db.DataSource, db.Tables()))
            .WithCheckpoints(new PostgresCheckpointStore(db.DataSource, db.Tables()))
            .RunAsync(async (batch, token) =>
            {
                foreach (var e in batch)
                {
                    await check(e, token);
                }

                await upsert.UpsertAsync(batch, token);
            });

        Assert.Equal(plan.Good, await Outcome.StoredIdsAsync(db.DataSource, db.Schema));
        Assert.Equal(plan.Bad, await Outcome.DeadLetteredPositionsAsync(db.DataSource, db.Tables(), "faults"));
        Assert.Equal(plan.Events.Count, report.Checkpoint);
        Assert.Equal((long)plan.Events.Count, await new PostgresCheckpointStore(db.DataSource, db.Tables()).LoadAsync("faults", SluicePipeline.CheckpointPartition));
    }
}
