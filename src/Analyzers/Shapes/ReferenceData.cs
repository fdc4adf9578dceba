using System;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace Sluice.Analyzers.Shapes;

/// <summary>
/// Data that is small by construction, whatever reads it: a lookup table (an entity that is only a key and a label —
/// brands, types, card kinds, statuses) and seeding code (a member or type named for seeding, which writes the rows it
/// then reads back).
/// </summary>
internal static class ReferenceData
{
    /// <summary>Any name with <c>Seed</c> in it (<c>SeedAsync</c>, <c>CatalogContextSeed</c>, <c>DataSeeding</c>).</summary>
    private static readonly ImmutableArray<string> SeedingNames = ImmutableArray.Create("*Seed*");

    /// <summary>
    /// An entity made of exactly two instance properties: its key (<c>Id</c>, <c>Code</c>, <c>Key</c> or [Key]) and one
    /// string label (<c>Name</c>, <c>Title</c>, <c>Label</c>, <c>Description</c>, or the end of the entity's own name:
    /// <c>CatalogBrand.Brand</c>). Rows of such a table name things people pick from a list; they do not grow with the
    /// business.
    /// </summary>
    public static bool IsLookupTable(ITypeSymbol? entity)
    {
        if (entity is not INamedTypeSymbol { TypeKind: TypeKind.Class } type)
        {
            return false;
        }

        var key = 0;
        var label = 0;
        var count = 0;
        for (var current = type; current is not null && current.SpecialType != SpecialType.System_Object; current = current.BaseType)
        {
            foreach (var property in current.GetMembers().OfType<IPropertySymbol>())
            {
                if (property.IsStatic || property.IsIndexer || property.DeclaredAccessibility != Accessibility.Public || property.IsOverride)
                {
                    continue;
                }

                if (++count > 2)
                {
                    return false;
                }

                if (IsKeyName(property.Name) || property.GetAttributes().Any(a => a.AttributeClass is { Name: "KeyAttribute" }))
                {
                    key++;
                }
                else if (property.Type.SpecialType == SpecialType.System_String && IsLabelName(property.Name, type.Name))
                {
                    label++;
                }
            }
        }

        return key == 1 && label == 1;
    }

    /// <summary>Code that seeds the database: the member or its type is named for it (<c>SeedAsync</c>, <c>CatalogContextSeed</c>).</summary>
    public static bool IsSeeding(ISymbol? member) => member is not null && SetupCode.IsSetupMember(member, SeedingNames);

    /// <summary>
    /// A select list of exactly two plain columns, a key and a label (<c>SELECT Code, Name FROM Countries</c>): the
    /// same lookup list, read with SQL.
    /// </summary>
    public static bool IsKeyAndLabel(string first, string second, string table)
        => (IsKeyName(first) && IsLabelName(second, table)) || (IsKeyName(second) && IsLabelName(first, table));

    /// <summary>The label of a lookup row: <c>Name</c>, <c>Title</c>... or the end of its owner's name (<c>CatalogBrand.Brand</c>).</summary>
    private static bool IsLabelName(string property, string owner)
        => property is "Name" or "DisplayName" or "Title" or "Label" or "Description"
            || (property.Length < owner.Length && owner.EndsWith(property, StringComparison.Ordinal));

    private static bool IsKeyName(string name) => name is "Id" or "ID" or "Code" or "Key";
}
