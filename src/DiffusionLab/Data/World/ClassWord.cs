namespace DiffusionLab.Data.World;

/// <summary>
/// The identity's class word, the noun PhotoMaker marks in every caption of an ID group
/// (photomaker.md §2.4 step 5). Children are drawn smaller with rounder faces.
/// </summary>
public enum ClassWord
{
    Man,
    Woman,
    Boy,
    Girl,
}
