using System.CommandLine;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Spectre.Console;

namespace Sluice.Cli;

/// <summary><c>sluice dead-letters list|show|export|purge</c>.</summary>
internal static class DeadLetterCommands
{
    // The same shape the dead-letter files have (camel case, payload as JSON), so an export reads back with DeadLetters.ReadAsync.
    private static readonly JsonSerializerOptions s_lineOptions = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    // For people, not parsers: a quote inside a string stays \" and other characters stay themselves (the default encoder
    // writes \u0022 for a quote, and escapes <, >, &, ' and every non-ASCII character), so the payload reads as it was written.
    private static readonly JsonSerializerOptions s_indented = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static Command Build(CommonOptions common, IAnsiConsole console)
    {
        var command = new Command("dead-letters", "Records that failed for good, with their error: read, export, purge.");
        var file = new Option<string?>("--dead-letters", "-f")
        {
            Description = "The dead-letter file (JsonLinesDeadLetterSink path). Defaults to the files the store's run records name.",
            Recursive = true,
        };
        command.Options.Add(file);
        var errorType = new Option<string?>("--error-type", "-e") { Description = "Only this exception type (full or short name, e.g. FormatException)." };
        var since = new Option<string?>("--since") { Description = "Only dead letters written at or after this time: ISO date/time, 'today', or an age (2h, 3d)." };
        var until = new Option<string?>("--until") { Description = "Only dead letters written before this time." };

        DeadLetterQuery Query(ParseResultView view) => new()
        {
            Instance = view.GetValue(common.Instance),
            ErrorType = view.GetValue(errorType),
            Since = TimeFilter.Parse(view.GetValue(since), "--since"),
            Until = TimeFilter.Parse(view.GetValue(until), "--until"),
        };

        async Task<List<(IDeadLetterStore Store, DeadLetter Letter)>> ReadAsync(ParseResultView view, DeadLetterQuery query, CancellationToken token)
        {
            var found = new List<(IDeadLetterStore, DeadLetter)>();
            foreach (var store in await OpenAsync(common, view, view.GetValue(file), token))
            {
                await foreach (var letter in store.ReadAsync(query, token))
                {
                    found.Add((store, letter));
                }
            }

            return found;
        }

        var list = new Command("list", "List dead letters, oldest first.") { common.Instance, errorType, since, until, common.Json };
        list.SetAction(async (result, token) =>
        {
            var view = new ParseResultView(result);
            var letters = await ReadAsync(view, Query(view), token);
            if (view.GetValue(common.Json))
            {
                foreach (var (_, letter) in letters)
                {
                    Console.Out.WriteLine(JsonSerializer.Serialize(letter, s_lineOptions));
                }

                return SluiceCommand.Success;
            }

            if (letters.Count == 0)
            {
                console.MarkupLine("[grey]No dead letters match.[/]");
                return SluiceCommand.Success;
            }

            var table = new Table().AddColumns("Id", "Instance", "Position", "Error", "Message", "Time (UTC)", "Attempts");
            foreach (var (_, letter) in letters)
            {
                table.AddRow(
                    Markup.Escape(ShortId(letter.Id)),
                    Markup.Escape(letter.Instance ?? letter.Pipeline ?? "-"),
                    letter.Position?.ToString(CultureInfo.InvariantCulture) ?? "-",
                    Markup.Escape(ShortType(letter.ErrorType)),
                    Markup.Escape(Shorten(letter.ErrorMessage, 80)),
                    RunsCommands.Time(letter.Timestamp),
                    letter.Attempts.ToString(CultureInfo.InvariantCulture));
            }

            console.Write(table);
            console.MarkupLine(Markup.Escape($"{letters.Count} dead letter(s). Read one with: sluice dead-letters show <id>"));
            return SluiceCommand.Success;
        });

        var id = new Argument<string>("id") { Description = "The dead letter's id, or a unique prefix of it (as `list` shows it)." };
        var show = new Command("show", "Show one dead letter: its payload, pretty-printed, and its error.") { id, common.Json };
        show.SetAction(async (result, token) =>
        {
            var view = new ParseResultView(result);
            var prefix = view.GetValue(id)!;
            var matches = (await ReadAsync(view, new DeadLetterQuery(), token))
                .Where(m => m.Letter.Id is { } letterId && letterId.StartsWith(prefix, StringComparison.Ordinal))
                .ToList();
            if (matches.Count == 0)
            {
                throw new OperatorException($"no dead letter with id '{prefix}'.", "List them with: sluice dead-letters list");
            }

            if (matches.Count > 1)
            {
                throw new OperatorException($"{matches.Count} dead letters have ids starting with '{prefix}'.", "Give more characters of the id.");
            }

            var letter = matches[0].Letter;
            if (view.GetValue(common.Json))
            {
                Console.Out.WriteLine(JsonSerializer.Serialize(letter, s_lineOptions));
                return SluiceCommand.Success;
            }

            var grid = new Grid().AddColumn().AddColumn();
            grid.AddRow("Id", Markup.Escape(letter.Id ?? "-"));
            grid.AddRow("Instance", Markup.Escape(letter.Instance ?? "-"));
            grid.AddRow("Pipeline", Markup.Escape(letter.Pipeline ?? "-"));
            grid.AddRow("Run", Markup.Escape(letter.RunId ?? "-"));
            grid.AddRow("Position", letter.Position?.ToString(CultureInfo.InvariantCulture) ?? "-");
            grid.AddRow("Key", Markup.Escape(letter.Key ?? "-"));
            grid.AddRow("Time", RunsCommands.Time(letter.Timestamp) + " UTC");
            grid.AddRow("Attempts", letter.Attempts.ToString(CultureInfo.InvariantCulture));
            grid.AddRow("Error", "[red]" + Markup.Escape(letter.ErrorType) + "[/]: " + Markup.Escape(letter.ErrorMessage));
            grid.AddRow(matches[0].Store is JsonLinesDeadLetterSink ? "File" : "Table", Markup.Escape(matches[0].Store.Location));
            console.Write(grid);
            console.WriteLine();
            console.MarkupLine("[bold]Payload[/]");
            console.WriteLine(Pretty(letter.Payload));
            if (letter.Context is { Count: > 0 } context)
            {
                console.MarkupLine("[bold]Context[/]");
                foreach (var (key, value) in context)
                {
                    console.WriteLine($"  {key} = {value}");
                }
            }

            if (letter.StackTrace is { } stack)
            {
                console.MarkupLine("[bold]Stack trace[/]");
                console.WriteLine(stack);
            }

            return SluiceCommand.Success;
        });

        var output = new Option<string?>("--output", "-o") { Description = "The file to write (JSON Lines). Defaults to standard output." };
        var export = new Command("export", "Write the matching dead letters as JSON Lines, in the dead-letter file format.") { common.Instance, errorType, since, until, output };
        export.SetAction(async (result, token) =>
        {
            var view = new ParseResultView(result);
            var letters = await ReadAsync(view, Query(view), token);
            var path = view.GetValue(output);
            var writer = path is null ? Console.Out : new StreamWriter(path, append: false);
            try
            {
                foreach (var (_, letter) in letters)
                {
                    await writer.WriteLineAsync(JsonSerializer.Serialize(letter, s_lineOptions).AsMemory(), token);
                }
            }
            finally
            {
                if (path is not null)
                {
                    await writer.DisposeAsync();
                }
            }

            await Console.Error.WriteLineAsync($"exported {letters.Count} dead letter(s){(path is null ? "" : " to " + Path.GetFullPath(path))}");
            return SluiceCommand.Success;
        });

        var all = new Option<bool>("--all") { Description = "Purge every dead letter when no filter is given." };
        var ids = new Option<string[]>("--id") { Description = "Only these ids (full ids, repeatable).", AllowMultipleArgumentsPerToken = true };
        var purge = new Command("purge", "Delete the matching dead letters. A dry run unless --yes is given.") { common.Instance, errorType, since, until, ids, all, common.Yes };
        purge.SetAction(async (result, token) =>
        {
            var view = new ParseResultView(result);
            var query = Query(view);
            var only = view.GetValue(ids) ?? [];
            var filtered = query != new DeadLetterQuery() || only.Length > 0;
            if (!filtered && !view.GetValue(all))
            {
                throw new OperatorException("purge without a filter would delete every dead letter.", "Give --instance, --error-type, --since/--until or --id, or --all to mean everything.");
            }

            var letters = (await ReadAsync(view, query, token))
                .Where(m => only.Length == 0 || only.Contains(m.Letter.Id, StringComparer.Ordinal))
                .ToList();
            if (letters.Count == 0)
            {
                console.MarkupLine("Nothing to purge: no dead letters match.");
                return SluiceCommand.Success;
            }

            var byStore = letters.GroupBy(m => m.Store).ToList();
            if (!view.GetValue(common.Yes))
            {
                console.MarkupLine(Markup.Escape($"Dry run: would delete {letters.Count} dead letter(s):"));
                foreach (var group in byStore)
                {
                    foreach (var (_, letter) in group)
                    {
                        console.MarkupLine(Markup.Escape($"  {letter.Id}  {letter.Instance ?? letter.Pipeline}  position {letter.Position}  {ShortType(letter.ErrorType)}  from {group.Key.Location}"));
                    }
                }

                console.MarkupLine(Markup.Escape("Nothing was deleted. Keep a copy first (sluice dead-letters export ... -o file.jsonl), then run the same command with --yes."));
                return SluiceCommand.Success;
            }

            var deleted = 0;
            foreach (var group in byStore)
            {
                deleted += await group.Key.DeleteAsync(group.Select(m => m.Letter.Id!).Where(i => i is not null).ToList(), token);
            }

            console.MarkupLine(Markup.Escape($"Deleted {deleted} dead letter(s)."));
            return SluiceCommand.Success;
        });

        command.Subcommands.Add(list);
        command.Subcommands.Add(show);
        command.Subcommands.Add(export);
        command.Subcommands.Add(purge);
        return command;
    }

    private static async Task<List<IDeadLetterStore>> OpenAsync(CommonOptions common, ParseResultView view, string? file, CancellationToken token)
    {
        if (file is not null)
        {
            if (!File.Exists(file))
            {
                throw new OperatorException($"no dead-letter file at '{Path.GetFullPath(file)}'.", "Check the path given to --dead-letters (the JsonLinesDeadLetterSink path).");
            }

            return [new JsonLinesDeadLetterSink(file)];
        }

        // The store's own database keeps its dead letters; a file store's runs name their files.
        var store = common.OpenStore(view);
        if (store.DeadLetters is { } table)
        {
            return [table];
        }

        using var owned = store;
        var locations = new SortedSet<string>(StringComparer.Ordinal);
        await foreach (var run in store.ListRunsAsync(view.GetValue(common.Instance), token))
        {
            if (run.DeadLetterLocation is { } location && File.Exists(location))
            {
                locations.Add(location);
            }
        }

        if (locations.Count == 0)
        {
            throw new OperatorException("the store's run records name no dead-letter file.", "Pass --dead-letters <file> (the path given to JsonLinesDeadLetterSink).");
        }

        return locations.Select(l => (IDeadLetterStore)new JsonLinesDeadLetterSink(l)).ToList();
    }

    private static string ShortId(string? id) => id is null ? "-" : id.Length > 12 ? id[..12] : id;

    private static string ShortType(string type) => type[(type.LastIndexOf('.') + 1)..];

    private static string Shorten(string text, int length)
    {
        var line = text.ReplaceLineEndings(" ");
        return line.Length <= length ? line : line[..(length - 3)] + "...";
    }

    private static string Pretty(string payload)
    {
        try
        {
            using var document = JsonDocument.Parse(payload);
            return JsonSerializer.Serialize(document.RootElement, s_indented);
        }
        catch (JsonException)
        {
            return payload;
        }
    }
}
