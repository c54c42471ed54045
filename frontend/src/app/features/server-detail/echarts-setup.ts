// Tree-shaken ECharts: only what the server detail charts use (the toolbox brings the drag-to-select zoom).
import { GaugeChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, ToolboxComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([LineChart, GaugeChart, GridComponent, TooltipComponent, LegendComponent, ToolboxComponent, CanvasRenderer]);

export { echarts };
