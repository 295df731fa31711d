namespace DiffusionLab.Imaging;

/// <summary>A row of a comic page: its slots from left to right.</summary>
public sealed record PageRow(IReadOnlyList<PageSlot> Slots)
{
    public PageRow(params PageSlot[] slots) : this((IReadOnlyList<PageSlot>)slots) { }
}
