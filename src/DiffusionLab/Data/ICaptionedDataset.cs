namespace DiffusionLab.Data;

/// <summary>A finite, indexable set of captioned images grouped by identity (CharacterWorld or a real folder).</summary>
public interface ICaptionedDataset
{
    long Count { get; }

    int ImageSize { get; }

    /// <summary>Identity id of item <paramref name="index"/>.</summary>
    int IdentityOf(long index);

    /// <summary>Items <paramref name="indices"/> as one batch, in that order.</summary>
    CaptionedBatch GetBatch(IReadOnlyList<long> indices);
}
