using Sluice.Analyzers.Memory;
using Sluice.Analyzers.Tests.Harness;
using Sluice.CodeFixes.Memory;

namespace Sluice.Analyzers.Tests.Memory;

public class SLU106_DatasetCollectedOnDriverTests
{
    /// <summary>The shape of .NET for Apache Spark's DataFrame (the package is not installable here).</summary>
    private const string Spark = """
        using System.Collections.Generic;

        namespace Microsoft.Spark.Sql
        {
            public class Row
            {
                public object Get(int i) => throw null!;
            }

            public class DataFrame
            {
                public IEnumerable<Row> Collect() => throw null!;
                public IEnumerable<Row> ToLocalIterator() => throw null!;
                public DataFrame Limit(int n) => this;
                public DataFrame Filter(string condition) => this;
                public DataFrame Select(params string[] columns) => this;
                public DataFrame OrderBy(params string[] columns) => this;
                public IEnumerable<Row> Head(int n) => throw null!;
                public long Count() => 0;
            }
        }
        """;

    private static RuleTest Analyzer(string source)
        => Verify.Analyzer<DatasetCollectedOnDriverAnalyzer>().WithSource(source).WithSource(Spark);

    private static RuleTest Fix(string source, string fixedSource)
        => Verify.CodeFix<DatasetCollectedOnDriverAnalyzer, DatasetCollectedOnDriverCodeFix>(DatasetCollectedOnDriverCodeFix.ToLocalIteratorKey)
            .WithSource(source).WithFixedSource(fixedSource)
            .WithSource(Spark).WithFixedSource(Spark);

    [Fact]
    public Task Collect_of_a_frame_is_reported_and_named()
        => Analyzer("""
            using System;
            using System.Linq;
            using Microsoft.Spark.Sql;

            class Job
            {
                void Run(DataFrame orders)
                {
                    foreach (var row in [|orders.Filter("amount > 0").Collect()|])
                    {
                        Console.WriteLine(row.Get(0));
                    }

                    var all = [|orders.Collect()|].ToList();
                    var copy = [|orders.Select("id").Collect()|].ToArray();
                }
            }
            """)
            .WithMessages(
                "'orders.Filter(\"amount > 0\")' is collected whole onto the driver by Collect(); iterate it with ToLocalIterator(), write it out from the executors, or Limit it first",
                "'orders' is collected whole onto the driver by Collect(); iterate it with ToLocalIterator(), write it out from the executors, or Limit it first",
                "'orders.Select(\"id\")' is collected whole onto the driver by Collect(); iterate it with ToLocalIterator(), write it out from the executors, or Limit it first")
            .RunAsync();

    [Fact]
    public Task A_frame_kept_in_a_local_is_followed()
        => Analyzer("""
            using Microsoft.Spark.Sql;

            class Job
            {
                object Run(DataFrame orders)
                {
                    var open = orders.Filter("status = 'open'");
                    return [|open.Collect()|];
                }
            }
            """).RunAsync();

    [Fact]
    public Task Limited_frames_and_other_calls_are_silent()
        => Analyzer("""
            using Microsoft.Spark.Sql;

            class Job
            {
                void Run(DataFrame orders, bool sample)
                {
                    var top = orders.OrderBy("amount").Limit(100).Collect();
                    var limitedEarlier = orders.Limit(10).Filter("amount > 0").Collect();
                    var limited = orders.Limit(5);
                    var fromLocal = limited.Collect();
                    var head = orders.Head(10);
                    var count = orders.Count();
                    var streamed = orders.ToLocalIterator();

                    var maybe = orders;
                    if (sample)
                    {
                        maybe = orders.Limit(10);
                    }

                    var unknown = maybe.Collect();
                }
            }
            """).RunAsync();

    [Fact]
    public Task Nothing_is_reported_without_Spark()
        => Verify.Analyzer<DatasetCollectedOnDriverAnalyzer>()
            .WithSource("""
                using System.Collections.Generic;

                class DataFrame
                {
                    public IEnumerable<int> Collect() => new[] { 1 };
                }

                class Job
                {
                    object Run(DataFrame frame) => frame.Collect();
                }
                """)
            .RunAsync();

    [Fact]
    public Task Rows_gone_through_once_are_iterated_with_ToLocalIterator()
        => Fix("""
            using System;
            using System.Linq;
            using Microsoft.Spark.Sql;

            class Job
            {
                int Run(DataFrame orders)
                {
                    foreach (var row in [|orders.Filter("amount > 0").Collect()|])
                    {
                        Console.WriteLine(row.Get(0));
                    }

                    var rows = [|orders.Collect()|];
                    return rows.Count(r => r.Get(1) is null);
                }
            }
            """, """
            using System;
            using System.Linq;
            using Microsoft.Spark.Sql;

            class Job
            {
                int Run(DataFrame orders)
                {
                    foreach (var row in orders.Filter("amount > 0").ToLocalIterator())
                    {
                        Console.WriteLine(row.Get(0));
                    }

                    var rows = orders.ToLocalIterator();
                    return rows.Count(r => r.Get(1) is null);
                }
            }
            """).RunAsync();

    [Fact]
    public Task No_fix_when_the_rows_are_kept_indexed_or_enumerated_twice()
        => Verify.CodeFix<DatasetCollectedOnDriverAnalyzer, DatasetCollectedOnDriverCodeFix>()
            .WithSource("""
                using System;
                using System.Collections.Generic;
                using System.Linq;
                using Microsoft.Spark.Sql;

                class Job
                {
                    IEnumerable<Row> Kept(DataFrame orders) => [|orders.Collect()|];

                    Row Indexed(DataFrame orders) => [|orders.Collect()|].ToList()[0];

                    void Twice(DataFrame orders)
                    {
                        var rows = [|orders.Collect()|];
                        Console.WriteLine(rows.Count());
                        foreach (var row in rows)
                        {
                            Console.WriteLine(row.Get(0));
                        }
                    }
                }
                """)
            .WithSource(Spark)
            .ExpectNoFix()
            .RunAsync();
}
