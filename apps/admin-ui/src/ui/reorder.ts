import { type DragEvent, useState } from 'react';
import { moveItem } from '../lib/strategy-form.ts';

/**
 * Mouse drag-and-drop reordering for a list; the same lists offer up/down buttons so the keyboard
 * can do everything the mouse can.
 */
export function useDragReorder<T>(list: readonly T[], onReorder: (next: T[]) => void) {
  const [dragging, setDragging] = useState<number | undefined>(undefined);
  const [over, setOver] = useState<number | undefined>(undefined);
  const itemProps = (index: number) => ({
    draggable: true,
    onDragStart: (e: DragEvent) => {
      setDragging(index);
      e.dataTransfer.effectAllowed = 'move';
      e.dataTransfer.setData('text/plain', String(index));
    },
    onDragOver: (e: DragEvent) => {
      if (dragging === undefined) return;
      e.preventDefault();
      e.dataTransfer.dropEffect = 'move';
      if (over !== index) setOver(index);
    },
    onDrop: (e: DragEvent) => {
      e.preventDefault();
      if (dragging !== undefined && dragging !== index) onReorder(moveItem(list, dragging, index));
      setDragging(undefined);
      setOver(undefined);
    },
    onDragEnd: () => {
      setDragging(undefined);
      setOver(undefined);
    },
    'data-dragging': dragging === index ? 'true' : undefined,
    'data-drop-target': over === index && dragging !== index ? 'true' : undefined,
  });
  return { itemProps };
}
