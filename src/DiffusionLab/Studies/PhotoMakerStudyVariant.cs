namespace DiffusionLab.Studies;

/// <summary>One PhotoMaker training config of a <see cref="PhotoMakerStudySpec"/>: trained into its own run folder, then evaluated.</summary>
public sealed record PhotoMakerStudyVariant
{
    /// <summary>The run folder's name (runs/&lt;study&gt;/&lt;scale&gt;/&lt;Name&gt;).</summary>
    public string Name { get; init; } = "";
    /// <summary>The method's name in the tables; empty = <see cref="Name"/>.</summary>
    public string Label { get; init; } = "";
    /// <summary>A PhotoMaker config file ("Stage": "photomaker"), relative to the study folder.</summary>
    public string Config { get; init; } = "";

    public string DisplayName => Label.Length > 0 ? Label : Name;
}
