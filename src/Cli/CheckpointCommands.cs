using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;

namespace Sluice.Cli;

/// <summary><c>sluice checkpoints show|reset</c>.</summary>
internal static class CheckpointCommands
{
    public static Command Build(CommonOptions common, IAnsiConsole console)
    {
        var command = new Command("checkpoints", "How far each instance got: show, reset.");
        var show = new Command("show", "Show the checkpoints and who holds each instance now.") { common.Instance, common.Json };
        show.SetAction(async (result, token) =>
        {
            var view = new ParseResultView(result);
            using var store = common.OpenStore(view);
            var checkpoints = await store.ListCheckpointsAsync(view.GetValue(common.Instance), token).ToListAsync(token);
            if (view.GetValue(common.Json))
            {
                foreach (var checkpoint in checkpoints)
                {
                    Console.Out.WriteLine(JsonSerializer.Serialize(checkpoint, CliJson.Default.StoredCheckpoint));
                }

                return SluiceCommand.Success;
            }

            if (checkpoints.Count == 0)
            {
                console.MarkupLine("[grey]No checkpoints match.[/]");
                return SluiceCommand.Success;
            }

            var table = new Table().AddColumns("Instance", "Partition", "Position", "Committed (UTC)", "Held by");
            foreach (var checkpoint in checkpoints)
            {
                var lease = await store.GetLeaseAsync(checkpoint.Instance, token);
                table.AddRow(
                    Markup.Escape(checkpoint.Instance),
                    Markup.Escape(checkpoint.Partition),
                    checkpoint.Position.ToString(CultureInfo.InvariantCulture),
                    RunsCommands.Time(checkpoint.CommittedAt),
                    lease is null ? "-" : Markup.Escape($"{lease.Holder} until {RunsCommands.Time(lease.ExpiresAt)}"));
            }

            console.Write(table);
            return SluiceCommand.Success;
        });

        var instance = new Option<string>("--instance", "-i") { Description = "The instance whose checkpoint to reset (pipeline name, or pipeline@input).", Required = true };
        var partition = new Option<string>("--partition") { Description = "The checkpoint partition.", DefaultValueFactory = _ => SluicePipeline.CheckpointPartition };
        var reset = new Command("reset", "Remove an instance's checkpoint so its next run starts from the first record. A dry run unless --yes is given.") { instance, partition, common.Yes };
        reset.SetAction(async (result, token) =>
        {
            var view = new ParseResultView(result);
            using var store = common.OpenStore(view);
            var key = view.GetValue(instance)!;
            var part = view.GetValue(partition)!;
            var current = await store.ListCheckpointsAsync(key, token).FirstOrDefaultAsync(c => c.Partition == part, token)
                ?? throw new OperatorException($"instance '{key}' has no checkpoint (partition '{part}'); its next run already starts from the first record.", "List the checkpoints with: sluice checkpoints show");
            if (await store.GetLeaseAsync(key, token) is { } lease && lease.ExpiresAt > DateTimeOffset.UtcNow)
            {
                throw new OperatorException(
                    $"instance '{key}' is being run by {lease.Holder} (lease until {RunsCommands.Time(lease.ExpiresAt)} UTC); resetting under it would be overwritten.",
                    "Wait for that run to end (sluice runs list --instance " + RunsCommands.Quote(key) + "), then reset.");
            }

            if (!view.GetValue(common.Yes))
            {
                console.MarkupLine(Markup.Escape($"Dry run: would reset the checkpoint of '{key}' (partition {part}) at position {current.Position}, committed {RunsCommands.Time(current.CommittedAt)} UTC."));
                console.MarkupLine(Markup.Escape($"Its next run would process the input from the first record again. Nothing was changed; add --yes to do it."));
                return SluiceCommand.Success;
            }

            try
            {
                await store.ResetAsync(key, part, token);
            }
            catch (PipelineInstanceBusyException e)
            {
                throw new OperatorException(e.Message, "Wait for that run to end, then reset.");
            }

            console.MarkupLine(Markup.Escape($"Reset the checkpoint of '{key}' (was position {current.Position}). Its next run starts from the first record."));
            return SluiceCommand.Success;
        });

        command.Subcommands.Add(show);
        command.Subcommands.Add(reset);
        return command;
    }
}
