using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;
using Sluice.Analyzers.Infrastructure;

namespace Sluice.Analyzers.Shapes;

/// <summary>Where the SQL a reader, a command or a data adapter runs comes from, as far as its member shows.</summary>
internal enum CommandTextOrigin
{
    /// <summary>The member does not show it (a command passed in, text built elsewhere).</summary>
    Unknown,

    /// <summary>A constant: <see cref="CommandText.Sql"/> holds it.</summary>
    Constant,

    /// <summary>A string parameter of the member: the caller chooses the query (and its bound).</summary>
    Parameter,
}

/// <summary>
/// The SQL behind an ADO.NET reader, command or data adapter, followed through the member that uses it:
/// <c>command.ExecuteReader()</c>, <c>new SqlCommand(sql, connection)</c>, <c>connection.CreateCommand()</c> then
/// <c>command.CommandText = sql</c>, <c>new SqlDataAdapter(sql, connection)</c> or <c>adapter.SelectCommand = command</c>,
/// through locals assigned once. Used by SLU104 and SLU107 with <see cref="SqlBounds"/>.
/// </summary>
internal sealed class CommandText
{
    private static readonly CommandText Unknown = new(CommandTextOrigin.Unknown, null);

    private CommandText(CommandTextOrigin origin, string? sql)
    {
        Origin = origin;
        Sql = sql;
    }

    public CommandTextOrigin Origin { get; }

    public string? Sql { get; }

    /// <summary>True when the SQL is a constant that <see cref="SqlBounds.IsUnboundedSelect"/> finds bounded (or not a SELECT).</summary>
    public bool IsBoundedSql => Origin == CommandTextOrigin.Constant && !SqlBounds.IsUnboundedSelect(Sql!, out _);

    /// <summary>The SQL that <paramref name="source"/> (a reader, a command or a data adapter) runs.</summary>
    public static CommandText Of(IOperation source) => Follow(source, depth: 0);

    private static CommandText Follow(IOperation? operation, int depth)
    {
        if (operation is null || depth > 6)
        {
            return Unknown;
        }

        operation = operation.WalkDownConversion();
        if (operation.ConstantValue is { HasValue: true, Value: string constant })
        {
            return new CommandText(CommandTextOrigin.Constant, constant);
        }

        switch (operation)
        {
            case IAwaitOperation awaited:
                return Follow(awaited.Operation, depth + 1);
            case IInvocationOperation { TargetMethod.Name: "ConfigureAwait", Instance: { } configured }:
                return Follow(configured, depth + 1);
            case IInvocationOperation { TargetMethod.Name: "ExecuteReader" or "ExecuteReaderAsync", Instance: { } command }:
                return Follow(command, depth + 1);
            case IObjectCreationOperation creation:
                return FromCreation(creation, depth);
            case IParameterReferenceOperation { Type.SpecialType: SpecialType.System_String }:
                return new CommandText(CommandTextOrigin.Parameter, null);
            case ILocalReferenceOperation local:
                return FromLocal(local, depth);
            default:
                return Unknown;
        }
    }

    /// <summary><c>new SqlCommand(sql, connection)</c>, <c>new SqlDataAdapter(sql, connection)</c>, <c>new SqlDataAdapter(command)</c>.</summary>
    private static CommandText FromCreation(IObjectCreationOperation creation, int depth)
    {
        foreach (var argument in creation.Arguments)
        {
            var parameter = argument.Parameter;
            if (parameter is null || argument.ArgumentKind != ArgumentKind.Explicit)
            {
                continue;
            }

            if (parameter.Type.SpecialType == SpecialType.System_String && parameter.Name is "cmdText" or "commandText" or "selectCommandText")
            {
                return Follow(argument.Value, depth + 1);
            }

            if (parameter.Name == "selectCommand")
            {
                return Follow(argument.Value, depth + 1);
            }
        }

        // A creation with an initializer: new SqlCommand { CommandText = sql }.
        var assigned = creation.Initializer?.Initializers
            .OfType<ISimpleAssignmentOperation>()
            .FirstOrDefault(a => a.Target is IPropertyReferenceOperation { Property.Name: "CommandText" or "SelectCommand" });
        return assigned is not null ? Follow(assigned.Value, depth + 1) : Unknown;
    }

    /// <summary>
    /// A local assigned once: its initializer, unless the member then sets its <c>CommandText</c> or
    /// <c>SelectCommand</c> (exactly once), which wins.
    /// </summary>
    private static CommandText FromLocal(ILocalReferenceOperation local, int depth)
    {
        var root = local.Root();
        if (LocalValues.OnlyDeclarator(local.Local, root) is not { } declarator)
        {
            return Unknown;
        }

        IOperation? text = null;
        var assignments = 0;
        foreach (var operation in root.Descendants())
        {
            if (operation is ISimpleAssignmentOperation
                {
                    Target: IPropertyReferenceOperation { Property.Name: "CommandText" or "SelectCommand", Instance: ILocalReferenceOperation owner },
                } assignment
                && SymbolEqualityComparer.Default.Equals(owner.Local, local.Local))
            {
                text = assignment.Value;
                assignments++;
            }
        }

        if (assignments > 1)
        {
            return Unknown;
        }

        return text is not null ? Follow(text, depth + 1) : Follow(declarator.Initializer?.Value, depth + 1);
    }
}
