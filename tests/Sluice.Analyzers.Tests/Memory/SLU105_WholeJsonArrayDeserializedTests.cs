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
    public Task A_list_from_a_stream_iterated_once_is_reported_and_named()
        => Analyzer("""
            using System;
            using System.Collections.Generic;
            using System.IO;
            using System.Text.Json;
            using System.Threading.Tasks;

            class Import
            {
                async Task Run(Stream body)
                {
                    var orders = await [|JsonSerializer.DeserializeAsync<List<Order>>(body)|] ?? [];
                    foreach (var order in orders)
                    {
                        Console.WriteLine(order.Id);
                    }
                }
            }
            """)
            .WithMessages("The JSON array in 'body' is deserialized whole into 'List<Order>', then used one element at a time; stream it with JsonSerializer.DeserializeAsyncEnumerable<Order>()")
            .RunAsync();

    [Fact]
    public Task Arrays_and_list_interfaces_from_streams_used_one_by_one_are_reported()
        => Analyzer("""
            using System;
            using System.Collections.Generic;
            using System.IO;
            using System.Linq;
            using System.Net.Http;
            using System.Text.Json;
            using System.Text.Json.Serialization.Metadata;
            using System.Threading.Tasks;

            class Import
            {
                async Task Run(Stream stream, HttpClient client, JsonSerializerOptions options, JsonTypeInfo<Order[]> info, string path)
                {
                    foreach (var order in [|JsonSerializer.Deserialize<Order[]>(stream)|]!)
                    {
                        Console.WriteLine(order.Id);
                    }

                    using var response = await client.GetStreamAsync("https://example.test/orders");
                    var total = [|JsonSerializer.Deserialize<IEnumerable<Order>>(response, options)|]!.Sum(o => o.Id);

                    using var file = File.OpenRead(path);
                    var ids = await [|JsonSerializer.DeserializeAsync<IList<int>>(file)|];
                    foreach (var id in ids!)
                    {
                        Console.WriteLine(id);
                    }

                    foreach (var order in [|JsonSerializer.Deserialize(stream, info)|]!)
                    {
                        Console.WriteLine(order.Id);
                    }
                }
            }
            """).RunAsync();

    [Fact]
    public Task A_file_read_whole_as_text_is_reported_with_the_stream_to_open()
        => Analyzer("""
            using System;
            using System.Collections.Generic;
            using System.IO;
            using System.Text.Json;

            class Import
            {
                void Run(string path)
                {
                    var text = File.ReadAllText(path);
                    foreach (var order in [|JsonSerializer.Deserialize<IReadOnlyList<Order>>(text)|]!)
                    {
                        Console.WriteLine(order.Id);
                    }
                }
            }
            """)
            .WithMessages("The JSON array in 'text' is deserialized whole into 'IReadOnlyList<Order>', then used one element at a time; open the file as a stream (File.OpenRead) and read it with JsonSerializer.DeserializeAsyncEnumerable<Order>()")
            .RunAsync();

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

    [Fact]
    public Task A_list_returned_or_kept_whole_is_silent()
        => Analyzer("""
            using System.Collections.Generic;
            using System.IO;
            using System.Text.Json;
            using System.Threading.Tasks;

            class Import
            {
                private readonly List<Order> _cache = new();

                async Task<List<Order>?> Run(Stream body) => await JsonSerializer.DeserializeAsync<List<Order>>(body);

                async Task Keep(Stream body)
                {
                    var loaded = await JsonSerializer.DeserializeAsync<List<Order>>(body);
                    _cache.AddRange(loaded!);
                }

                int Count(Stream body)
                {
                    var loaded = JsonSerializer.Deserialize<Order[]>(body);
                    return loaded!.Length;
                }

                void Unused(Stream stream)
                {
                    var a = JsonSerializer.Deserialize<Order[]>(stream);
                    var d = JsonSerializer.Deserialize<IList<int>>(stream);
                }
            }
            """).RunAsync();

    [Fact]
    public Task Strings_already_held_in_memory_are_silent()
        => Analyzer("""
            using System;
            using System.Collections.Generic;
            using System.Net.Http;
            using System.Text.Json;
            using System.Threading.Tasks;

            class Labels
            {
                async Task Run(string headerValue, HttpClient client, JsonSerializerOptions options)
                {
                    foreach (var tag in JsonSerializer.Deserialize<string[]>(headerValue)!)
                    {
                        Console.WriteLine(tag);
                    }

                    var body = await client.GetStringAsync("https://example.test/labels");
                    foreach (var pair in JsonSerializer.Deserialize<IEnumerable<KeyValuePair<string, string>>>(body, options)!)
                    {
                        Console.WriteLine(pair.Key);
                    }
                }
            }
            """).RunAsync();

    [Fact]
    public Task Embedded_resources_and_memory_streams_are_silent()
        => Analyzer("""
            using System;
            using System.Collections.Generic;
            using System.IO;
            using System.Reflection;
            using System.Text.Json;

            class Regions
            {
                void Run(Assembly assembly, byte[] payload)
                {
                    using var resource = assembly.GetManifestResourceStream("Regions.json") ?? throw new InvalidOperationException();
                    foreach (var region in JsonSerializer.Deserialize<List<string>>(resource)!)
                    {
                        Console.WriteLine(region);
                    }

                    using var buffer = new MemoryStream(payload);
                    foreach (var id in JsonSerializer.Deserialize<int[]>(buffer)!)
                    {
                        Console.WriteLine(id);
                    }
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
                using System.Linq;
                using System.Text.Json;
                using System.Text.Json.Serialization.Metadata;
                using System.Threading.Tasks;

                class Import
                {
                    async Task FromString(string path)
                    {
                        var json = await File.ReadAllTextAsync(path);
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

                    async Task<int> IndexedAfterTheLoop(Stream stream)
                    {
                        var orders = (await [|JsonSerializer.DeserializeAsync<List<Order>>(stream)|])!.Where(o => o.Id > 0).ToList();
                        return orders[0].Id;
                    }
                }
                """)
            .WithSource(Model)
            .ExpectNoFix()
            .RunAsync();
}
