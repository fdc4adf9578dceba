using Sluice.Analyzers.Memory;
using Sluice.Analyzers.Tests.Harness;
using Sluice.CodeFixes.Memory;

namespace Sluice.Analyzers.Tests.Memory;

public class SLU105_WholeJsonArrayDeserializedTests
{
    private const string Model = """
        public class Order
        {
            public int Id { get; set; }
        }
        """;

    private static RuleTest Analyzer(string source)
        => Verify.Analyzer<WholeJsonArrayDeserializedAnalyzer>().WithSource(source).WithSource(Model);

    private static RuleTest Fix(string source, string fixedSource)
        => Verify.CodeFix<WholeJsonArrayDeserializedAnalyzer, WholeJsonArrayDeserializedCodeFix>(WholeJsonArrayDeserializedCodeFix.StreamKey)
            .WithSource(source).WithFixedSource(fixedSource)
            .WithSource(Model).WithFixedSource(Model);

    // ---- Positives -----------------------------------------------------------------------------

    [Fact]
    public Task A_list_from_a_stream_is_reported_and_named()
        => Analyzer("""
            using System.Collections.Generic;
            using System.IO;
            using System.Text.Json;
            using System.Threading.Tasks;

            class Import
            {
                async Task<List<Order>?> Run(Stream body) => await [|JsonSerializer.DeserializeAsync<List<Order>>(body)|];
            }
            """)
            .WithMessages("The JSON array in 'body' is deserialized whole into 'List<Order>'; stream it with JsonSerializer.DeserializeAsyncEnumerable<Order>()")
            .RunAsync();

    [Fact]
    public Task Arrays_and_list_interfaces_from_streams_and_strings_are_reported()
        => Analyzer("""
            using System.Collections.Generic;
            using System.IO;
            using System.Text.Json;
            using System.Text.Json.Serialization.Metadata;

            class Import
            {
                void Run(Stream stream, string json, JsonSerializerOptions options, JsonTypeInfo<Order[]> info)
                {
                    var a = [|JsonSerializer.Deserialize<Order[]>(stream)|];
                    var b = [|JsonSerializer.Deserialize<IEnumerable<Order>>(json, options)|];
                    var c = [|JsonSerializer.Deserialize<IReadOnlyList<Order>>(File.ReadAllText("orders.json"))|];
                    var d = [|JsonSerializer.Deserialize<IList<int>>(stream)|];
                    var e = [|JsonSerializer.Deserialize(json, info)|];
                }
            }
            """).RunAsync();

    // ---- Near misses ---------------------------------------------------------------------------

    [Fact]
    public Task Documents_bytes_constants_and_other_sources_are_silent()
        => Analyzer("""
            using System;
            using System.Collections.Generic;
            using System.IO;
            using System.Text.Json;

            class Import
            {
                void Run(Stream stream, string json, byte[] utf8, JsonElement element)
                {
                    var order = JsonSerializer.Deserialize<Order>(stream);
                    var byId = JsonSerializer.Deserialize<Dictionary<int, Order>>(json);
                    var blob = JsonSerializer.Deserialize<byte[]>(json);
                    var literal = JsonSerializer.Deserialize<int[]>("[1, 2, 3]");
                    var fromBytes = JsonSerializer.Deserialize<List<Order>>(utf8);
                    var fromElement = element.Deserialize<List<Order>>();
                    var untyped = JsonSerializer.Deserialize(json, typeof(List<Order>));
                }
            }
            """).RunAsync();

    // ---- Fixes ---------------------------------------------------------------------------------

    [Fact]
    public Task An_awaited_list_iterated_once_is_streamed_with_options_and_token()
        => Fix("""
            using System;
            using System.Collections.Generic;
            using System.IO;
            using System.Text.Json;
            using System.Threading;
            using System.Threading.Tasks;

            class Import
            {
                static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

                async Task Run(Stream body, CancellationToken token)
                {
                    var orders = await [|JsonSerializer.DeserializeAsync<List<Order>>(body, Options, token)|] ?? [];
                    foreach (var order in orders)
                    {
                        Console.WriteLine(order.Id);
                    }

                    foreach (var id in (await [|JsonSerializer.DeserializeAsync<int[]>(body, cancellationToken: token)|].ConfigureAwait(false))!)
                    {
                        Console.WriteLine(id);
                    }
                }
            }
            """, """
            using System;
            using System.Collections.Generic;
            using System.IO;
            using System.Text.Json;
            using System.Threading;
            using System.Threading.Tasks;

            class Import
            {
                static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

                async Task Run(Stream body, CancellationToken token)
                {
                    await foreach (var order in JsonSerializer.DeserializeAsyncEnumerable<Order>(body, Options, token))
                    {
                        Console.WriteLine(order.Id);
                    }

                    await foreach (var id in JsonSerializer.DeserializeAsyncEnumerable<int>(body, cancellationToken: token).ConfigureAwait(false))
                    {
                        Console.WriteLine(id);
                    }
                }
            }
            """).RunAsync();

    [Fact]
    public Task No_fix_from_a_string_in_sync_code_with_type_info_or_when_the_list_escapes()
        => Verify.CodeFix<WholeJsonArrayDeserializedAnalyzer, WholeJsonArrayDeserializedCodeFix>()
            .WithSource("""
                using System;
                using System.Collections.Generic;
                using System.IO;
                using System.Text.Json;
                using System.Text.Json.Serialization.Metadata;
                using System.Threading.Tasks;

                class Import
                {
                    async Task FromString(string json)
                    {
                        await Task.Yield();
                        foreach (var order in [|JsonSerializer.Deserialize<List<Order>>(json)|]!)
                        {
                            Console.WriteLine(order.Id);
                        }
                    }

                    void Sync(Stream stream)
                    {
                        foreach (var order in [|JsonSerializer.Deserialize<List<Order>>(stream)|]!)
                        {
                            Console.WriteLine(order.Id);
                        }
                    }

                    async Task TypeInfo(Stream stream, JsonTypeInfo<List<Order>> info)
                    {
                        foreach (var order in (await [|JsonSerializer.DeserializeAsync(stream, info)|])!)
                        {
                            Console.WriteLine(order.Id);
                        }
                    }

                    async Task<int> Escapes(Stream stream)
                    {
                        var orders = await [|JsonSerializer.DeserializeAsync<List<Order>>(stream)|];
                        return orders!.Count;
                    }
                }
                """)
            .WithSource(Model)
            .ExpectNoFix()
            .RunAsync();
}
