using System.Diagnostics.CodeAnalysis;

namespace UsagePortal.Pricing;

/// <summary>The pricing models a charge can use (PRODUCT.md, "Pricing models").</summary>
public enum ChargeModel
{
    /// <summary><c>standard</c>: units × unitAmount.</summary>
    Standard,

    /// <summary><c>graduated</c>: each band of units at its own price, plus each reached band's flat amount.</summary>
    Graduated,

    /// <summary><c>volume</c>: all units at the price of the one range the total falls in.</summary>
    Volume,

    /// <summary><c>package</c>: started packages of packageSize units, after free units.</summary>
    Package,

    /// <summary><c>percentage</c>: a percent of a summed amount, with per-event fees and allowances.</summary>
    Percentage,

    /// <summary><c>graduated_percentage</c>: graduated bands, each at its own percent.</summary>
    GraduatedPercentage,
}

/// <summary>The wire names of <see cref="ChargeModel"/> values, as used in the charge JSON.</summary>
public static class ChargeModelNames
{
    private static readonly Dictionary<string, ChargeModel> ByName = new(StringComparer.Ordinal)
    {
        ["standard"] = ChargeModel.Standard,
        ["graduated"] = ChargeModel.Graduated,
        ["volume"] = ChargeModel.Volume,
        ["package"] = ChargeModel.Package,
        ["percentage"] = ChargeModel.Percentage,
        ["graduated_percentage"] = ChargeModel.GraduatedPercentage,
    };

    /// <summary>All wire names, in declaration order of <see cref="ChargeModel"/>.</summary>
    public static IReadOnlyList<string> All { get; } = [.. Enum.GetValues<ChargeModel>().Select(ToName)];

    /// <summary>The wire name of a model, for example <c>graduated_percentage</c>.</summary>
    public static string ToName(ChargeModel model) => model switch
    {
        ChargeModel.Standard => "standard",
        ChargeModel.Graduated => "graduated",
        ChargeModel.Volume => "volume",
        ChargeModel.Package => "package",
        ChargeModel.Percentage => "percentage",
        ChargeModel.GraduatedPercentage => "graduated_percentage",
        _ => throw new ArgumentOutOfRangeException(nameof(model), model, "Unknown charge model."),
    };

    /// <summary>Parses a wire name; names are case-sensitive, as they are in the API.</summary>
    public static bool TryParse([NotNullWhen(true)] string? name, out ChargeModel model)
    {
        model = default;
        return name is not null && ByName.TryGetValue(name, out model);
    }
}
