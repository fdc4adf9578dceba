using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using RabbitMQ.Client.Exceptions;
using Sluice.RabbitMq;
using Spectre.Console;

namespace Sluice.Cli;

/// <summary>
/// <c>sluice rabbitmq dead-letters list|show|replay|purge</c>: the dead-letter queue of a <see cref="RabbitMqTopology"/>.
/// List and show put every message back; replay and purge remove only what they replayed (confirmed) or purged.
/// </summary>
internal static class RabbitMqCommands
{
    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    private static readonly JsonSerializerOptions s_indented = new() { WriteIndented = true };

    public static Command Build(CommonOptions common, IAnsiConsole console)
    {
        var rabbitmq = new Command("rabbitmq", "Pipelines run on RabbitMQ (Sluice.RabbitMq): their dead-letter queue.");
        var address = new Option<string?>("--rabbitmq", "-r")
        {
            Description = $"The broker: amqp://user:password@host:5672/vhost. Defaults to ${RabbitMqAddress.Variable}.",
            Recursive = true,
        };
        var topology = new Option<string?>("--topology", "-t")
        {
            Description = "The topology's name (the one given to RabbitMqTopology); its dead-letter queue is <name>.dlq.",
            Recursive = true,
        };
        rabbitmq.Options.Add(address);
        rabbitmq.Options.Add(topology);

        var pipeline = new Option<string?>("--pipeline", "-p") { Description = "Only dead letters of this pipeline (the x-sluice-pipeline header)." };
        var errorType = new Option<string?>("--error-type", "-e") { Description = "Only this exception type (full or short name, e.g. FormatException)." };
        var count = new Option<int?>("--count", "-n") { Description = "At most this many matching messages, oldest first." };
        var ids = new Option<string[]>("--id") { Description = "Only these message ids (repeatable).", AllowMultipleArgumentsPerToken = true };

        var command = new Command("dead-letters", "The topology's dead-letter queue: list, show, replay to the original exchange, purge.");
        rabbitmq.Subcommands.Add(command);

        var list = new Command("list", "List the dead letters, oldest first, with their error. Every message stays in the queue.") { pipeline, errorType, ids, count, common.Json };
        list.SetAction((result, token) => RunAsync(result, address, topology, async (view, queue) =>
        {
            var letters = await MatchingAsync(queue, Filter.From(view, pipeline, errorType, count, ids), token);
            if (view.GetValue(common.Json))
            {
                foreach (var letter in letters)
                {
                    Console.Out.WriteLine(JsonSerializer.Serialize(Json(letter, details: false), s_json));
                }

                return SluiceCommand.Success;
            }

            if (letters.Count == 0)
            {
                console.MarkupLine(Markup.Escape($"No dead letters match in {queue.Queue} ({queue.Count} message(s) in the queue)."));
                return SluiceCommand.Success;
            }

            var table = new Table().AddColumns("Message id", "Pipeline", "Error", "Message", "Attempts", "Original exchange", "Routing key", "Dead-lettered (UTC)");
            foreach (var letter in letters)
            {
                table.AddRow(
                    Markup.Escape(letter.MessageId ?? "-"),
                    Markup.Escape(letter.Pipeline ?? "-"),
                    Markup.Escape(ShortType(letter.ErrorType)),
                    Markup.Escape(Shorten(letter.ErrorMessage ?? "-", 80)),
                    letter.Attempts?.ToString(CultureInfo.InvariantCulture) ?? "-",
                    Markup.Escape(letter.OriginalExchange ?? "-"),
                    Markup.Escape(letter.OriginalRoutingKey ?? "-"),
                    Markup.Escape(letter.Timestamp ?? "-"));
            }

            console.Write(table);
            console.MarkupLine(Markup.Escape($"{letters.Count} of {queue.Count} dead letter(s) in {queue.Queue}; none was removed. Read one with: sluice rabbitmq dead-letters show <message-id>"));
            return SluiceCommand.Success;
        }));

        var id = new Argument<string>("message-id") { Description = "The message id, or a unique prefix of it (as `list` shows it)." };
        var show = new Command("show", "Show one dead letter: its error, stack trace, headers and body. It stays in the queue.") { id, common.Json };
        show.SetAction((result, token) => RunAsync(result, address, topology, async (view, queue) =>
        {
            var prefix = view.GetValue(id)!;
            var matches = await MatchingAsync(queue, new Filter { Match = l => l.MessageId is { } m && m.StartsWith(prefix, StringComparison.Ordinal) }, token);
            if (matches.Count == 0)
            {
                throw new OperatorException($"no dead letter with message id '{prefix}' in {queue.Queue}.", "List them with: sluice rabbitmq dead-letters list");
            }

            var distinct = matches.Select(m => m.MessageId).Distinct(StringComparer.Ordinal).Count();
            if (distinct > 1)
            {
                throw new OperatorException($"{distinct} dead letters have message ids starting with '{prefix}'.", "Give more characters of the id.");
            }

            var letter = matches[0];
            if (view.GetValue(common.Json))
            {
                Console.Out.WriteLine(JsonSerializer.Serialize(Json(letter, details: true), s_json));
                return SluiceCommand.Success;
            }

            var grid = new Grid().AddColumn().AddColumn();
            grid.AddRow("Message id", Markup.Escape(letter.MessageId ?? "-"));
            grid.AddRow("Pipeline", Markup.Escape(letter.Pipeline ?? "-"));
            grid.AddRow("Error", "[red]" + Markup.Escape(letter.ErrorType ?? "-") + "[/]: " + Markup.Escape(letter.ErrorMessage ?? "-"));
            grid.AddRow("Attempts", letter.Attempts?.ToString(CultureInfo.InvariantCulture) ?? "-");
            grid.AddRow("Dead-lettered", Markup.Escape(letter.Timestamp ?? "-"));
            grid.AddRow("Original exchange", Markup.Escape(letter.OriginalExchange ?? "-"));
            grid.AddRow("Routing key", Markup.Escape(letter.OriginalRoutingKey ?? "-"));
            grid.AddRow("Original queue", Markup.Escape(letter.OriginalQueue ?? "-"));
            grid.AddRow("Content type", Markup.Escape(letter.Properties.ContentType ?? "-"));
            if (matches.Count > 1)
            {
                grid.AddRow("Copies", matches.Count.ToString(CultureInfo.InvariantCulture) + " (delivered again and dead-lettered again; the oldest is shown)");
            }

            console.Write(grid);
            console.WriteLine();
            console.MarkupLine("[bold]Body[/]");
            console.WriteLine(letter.BodyText is { } text ? Pretty(text) : "(binary, base64) " + Convert.ToBase64String(letter.Body));
            var others = letter.Headers.Where(h => h.Key != DeadLetterHeaders.ExceptionStackTrace).ToList();
            if (others.Count > 0)
            {
                console.MarkupLine("[bold]Headers[/]");
                foreach (var (name, value) in others.OrderBy(h => h.Key, StringComparer.Ordinal))
                {
                    console.WriteLine($"  {name} = {RabbitMqDeadLetter.Format(value)}");
                }
            }

            if (letter.StackTrace is { Length: > 0 } stack)
            {
                console.MarkupLine("[bold]Stack trace[/]");
                console.WriteLine(stack);
            }

            return SluiceCommand.Success;
        }));

        var replay = new Command(
            "replay",
            "Publish the matching dead letters again to their original exchange and routing key, and remove each from the queue once the broker confirmed it. A dry run unless --yes is given.")
        {
            pipeline, errorType, ids, count, common.Yes,
        };
        replay.SetAction((result, token) => RunAsync(result, address, topology, async (view, queue) =>
        {
            var letters = await MatchingAsync(queue, Filter.From(view, pipeline, errorType, count, ids), token);
            if (letters.Count == 0)
            {
                console.MarkupLine(Markup.Escape($"Nothing to replay: no dead letters match in {queue.Queue}."));
                return SluiceCommand.Success;
            }

            var replayable = letters.Where(l => l.OriginalExchange is not null).ToList();
            var orphans = letters.Count - replayable.Count;
            if (!view.GetValue(common.Yes))
            {
                console.MarkupLine(Markup.Escape($"Dry run: would replay {replayable.Count} dead letter(s) from {queue.Queue}:"));
                foreach (var letter in replayable)
                {
                    console.MarkupLine(Markup.Escape($"  {letter.MessageId}  {letter.Pipeline}  {ShortType(letter.ErrorType)}  to exchange '{letter.OriginalExchange}' with routing key '{letter.OriginalRoutingKey}'"));
                }

                if (orphans > 0)
                {
                    console.MarkupLine(Markup.Escape($"and could not replay {orphans}: they name no original exchange."));
                }

                console.MarkupLine(Markup.Escape("Nothing was replayed and every message is still in the queue. Run the same command with --yes."));
                return SluiceCommand.Success;
            }

            var replayed = 0;
            var failures = new List<string>();
            for (var i = 0; i < replayable.Count; i++)
            {
                var letter = replayable[i];
                try
                {
                    await queue.RepublishAsync(letter, token);
                }
                catch (PublishException e) when (e.IsReturn)
                {
                    failures.Add($"{letter.MessageId}: exchange '{letter.OriginalExchange}' routed it to no queue (routing key '{letter.OriginalRoutingKey}')");
                    continue;
                }
                catch (Exception e) when (e is PublishException or AlreadyClosedException or OperationInterruptedException or IOException)
                {
                    // The channel is gone (the exchange does not exist, or the connection dropped): this message and the
                    // rest stay in the queue.
                    failures.Add($"{letter.MessageId}: {Failure(e)}; it and the {replayable.Count - i - 1} after it were not replayed");
                    break;
                }

                // Confirmed: the copy is on its queue, so the dead letter can go. Dying between the two leaves both
                // (a duplicate the workers recognise by its message id), never neither.
                await queue.RemoveAsync(letter, token);
                replayed++;
            }

            console.MarkupLine(Markup.Escape($"Replayed {replayed} dead letter(s) from {queue.Queue} (each confirmed by the broker, then removed from the queue)."));
            if (failures.Count > 0 || orphans > 0)
            {
                throw new OperatorException(
                    $"{letters.Count - replayed} dead letter(s) were not replayed and are still in {queue.Queue}: "
                        + string.Join("; ", failures.Concat(orphans > 0 ? [$"{orphans} name no original exchange"] : [])),
                    "Check that the topology is declared (a worker or producer declares it on start), then replay again; `sluice rabbitmq dead-letters show <message-id>` shows one.");
            }

            return SluiceCommand.Success;
        }));

        var all = new Option<bool>("--all") { Description = "Purge every dead letter when no filter is given." };
        var purge = new Command("purge", "Delete the matching dead letters from the queue. A dry run unless --yes is given.") { pipeline, errorType, ids, count, all, common.Yes };
        purge.SetAction((result, token) => RunAsync(result, address, topology, async (view, queue) =>
        {
            var filter = Filter.From(view, pipeline, errorType, count, ids);
            if (!filter.Filtered && !view.GetValue(all))
            {
                throw new OperatorException("purge without a filter would delete every dead letter.", "Give --pipeline, --error-type, --id or --count, or --all to mean everything.");
            }

            var letters = await MatchingAsync(queue, filter, token);
            if (letters.Count == 0)
            {
                console.MarkupLine(Markup.Escape($"Nothing to purge: no dead letters match in {queue.Queue}."));
                return SluiceCommand.Success;
            }

            if (!view.GetValue(common.Yes))
            {
                console.MarkupLine(Markup.Escape($"Dry run: would delete {letters.Count} dead letter(s) from {queue.Queue}:"));
                foreach (var letter in letters)
                {
                    console.MarkupLine(Markup.Escape($"  {letter.MessageId}  {letter.Pipeline}  {ShortType(letter.ErrorType)}  {Shorten(letter.ErrorMessage ?? "", 60)}"));
                }

                console.MarkupLine(Markup.Escape("Nothing was deleted. Keep a copy first (sluice rabbitmq dead-letters list --json > file.jsonl), then run the same command with --yes."));
                return SluiceCommand.Success;
            }

            foreach (var letter in letters)
            {
                await queue.RemoveAsync(letter, token);
            }

            console.MarkupLine(Markup.Escape($"Deleted {letters.Count} dead letter(s) from {queue.Queue}."));
            return SluiceCommand.Success;
        }));

        command.Subcommands.Add(list);
        command.Subcommands.Add(show);
        command.Subcommands.Add(replay);
        command.Subcommands.Add(purge);
        return rabbitmq;
    }

    /// <summary>Opens the dead-letter queue, runs <paramref name="action"/>, requeues what it did not remove, and turns broker failures into operator errors.</summary>
    private static async Task<int> RunAsync(
        System.CommandLine.ParseResult result,
        Option<string?> address,
        Option<string?> topology,
        Func<ParseResultView, RabbitMqDeadLetterQueue, Task<int>> action)
    {
        var view = new ParseResultView(result);
        var broker = RabbitMqAddress.Parse(view.GetValue(address));
        var name = view.GetValue(topology);
        if (string.IsNullOrWhiteSpace(name))
        {
            throw new OperatorException("no topology given.", "Pass --topology <name>, the name given to RabbitMqTopology (its dead-letter queue is <name>.dlq).");
        }

        string queueName;
        try
        {
            queueName = new RabbitMqTopology(name, 1).DeadLetterQueue;
        }
        catch (ArgumentException e)
        {
            throw new OperatorException($"--topology: {e.Message}", "Give the name given to RabbitMqTopology.");
        }

        try
        {
            await using var queue = await RabbitMqDeadLetterQueue.OpenAsync(broker, queueName, CancellationToken.None);
            return await action(view, queue);
        }
        catch (Exception e) when (e is AlreadyClosedException or OperationInterruptedException or BrokerUnreachableException or IOException)
        {
            throw new OperatorException(
                $"RabbitMQ at {broker}: {broker.Scrub(Failure(e))}. Every message not yet replayed or purged is still in {queueName}.",
                "Check that the broker runs and the user may read the queue, then run the command again.");
        }
    }

    private static async Task<List<RabbitMqDeadLetter>> MatchingAsync(RabbitMqDeadLetterQueue queue, Filter filter, CancellationToken token)
    {
        var found = new List<RabbitMqDeadLetter>();
        await foreach (var letter in queue.ScanAsync(token))
        {
            if (filter.Match(letter))
            {
                found.Add(letter);
                if (found.Count == filter.Count)
                {
                    break;
                }
            }
        }

        return found;
    }

    private static object Json(RabbitMqDeadLetter letter, bool details)
    {
        var text = letter.BodyText;
        return new
        {
            messageId = letter.MessageId,
            pipeline = letter.Pipeline,
            exceptionType = letter.ErrorType,
            exceptionMessage = letter.ErrorMessage,
            attempts = letter.Attempts,
            originalExchange = letter.OriginalExchange,
            originalRoutingKey = letter.OriginalRoutingKey,
            originalQueue = letter.OriginalQueue,
            timestamp = letter.Timestamp,
            contentType = letter.Properties.ContentType,
            bodyEncoding = text is null ? "base64" : "utf-8",
            body = text ?? Convert.ToBase64String(letter.Body),
            stackTrace = details ? letter.StackTrace : null,
            headers = details ? letter.Headers.ToDictionary(h => h.Key, h => RabbitMqDeadLetter.Format(h.Value)) : null,
        };
    }

    private static string Failure(Exception e) => e switch
    {
        OperationInterruptedException { ShutdownReason: { } reason } => $"{reason.ReplyCode} {reason.ReplyText}",
        _ => RabbitMqDeadLetterQueue.Innermost(e).Message,
    };

    private static string ShortType(string? type) => type is null ? "-" : type[(type.LastIndexOf('.') + 1)..];

    private static string Shorten(string text, int length)
    {
        var line = text.ReplaceLineEndings(" ");
        return line.Length <= length ? line : line[..(length - 3)] + "...";
    }

    private static string Pretty(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return JsonSerializer.Serialize(document.RootElement, s_indented);
        }
        catch (JsonException)
        {
            return body;
        }
    }

    private sealed class Filter
    {
        public Func<RabbitMqDeadLetter, bool> Match { get; init; } = _ => true;

        public int? Count { get; init; }

        public bool Filtered { get; init; }

        public static Filter From(ParseResultView view, Option<string?> pipeline, Option<string?> errorType, Option<int?> count, Option<string[]> ids)
        {
            var onlyPipeline = view.GetValue(pipeline);
            var onlyType = view.GetValue(errorType);
            var onlyIds = view.GetValue(ids) is { Length: > 0 } given ? given.ToHashSet(StringComparer.Ordinal) : null;
            var most = view.GetValue(count);
            if (most is < 1)
            {
                throw new OperatorException($"--count {most} is not a positive number.", "Give how many dead letters at most, e.g. --count 10.");
            }

            return new Filter
            {
                Match = l => (onlyPipeline is null || string.Equals(l.Pipeline, onlyPipeline, StringComparison.Ordinal))
                    && (onlyType is null || l.HasErrorType(onlyType))
                    && (onlyIds is null || (l.MessageId is { } m && onlyIds.Contains(m))),
                Count = most,
                Filtered = onlyPipeline is not null || onlyType is not null || onlyIds is not null || most is not null,
            };
        }
    }
}
