namespace DiffusionLab.Data;

/// <summary>A character range of a caption: where the class word PhotoMaker marks sits (photomaker.md §1.3).</summary>
public readonly record struct CaptionSpan(int Start, int Length)
{
    public int End => Start + Length;

    public string Of(string text) => text.Substring(Start, Length);
}
